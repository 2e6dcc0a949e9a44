/** API clients and their scopes (API.md "Authentication and scopes", "Clients"). */
import * as z from 'zod/mini';

export const SCOPES = ['checkout', 'servicing', 'risk', 'admin'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export interface Client {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
}

/** A client as GET /v1/clients shows it: never a key, never a key's hash. */
export interface ClientView extends Client {
  /** When DELETE /v1/clients/{id} revoked it: every key of the client stopped working then. */
  revokedAt?: string;
}

/**
 * The most clients GET /v1/clients lists (in id order; `hasMore` says when there are more). Clients are the
 * service's callers: tens, not thousands; a Query page of their records holds a few thousand.
 */
export const MAX_LISTED_CLIENTS = 1_000;

/** Who is calling, as the authorizer established it. */
export interface Principal {
  clientId: string;
  scopes: Scope[];
}

/** `admin` may do everything; otherwise the principal needs one of the accepted scopes. */
export function hasAnyScope(principal: Principal, accepted: readonly Scope[]): boolean {
  return principal.scopes.includes('admin') || accepted.some((s) => principal.scopes.includes(s));
}
