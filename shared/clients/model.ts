/** API clients and their scopes (API.md "Authentication and scopes"). */
import * as z from 'zod';

export const SCOPES = ['checkout', 'servicing', 'risk', 'admin'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export interface Client {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
}

/** Who is calling, as the authorizer established it. */
export interface Principal {
  clientId: string;
  scopes: Scope[];
}

/** `admin` may do everything; otherwise the principal needs one of the accepted scopes. */
export function hasAnyScope(principal: Principal, accepted: readonly Scope[]): boolean {
  return principal.scopes.includes('admin') || accepted.some((s) => principal.scopes.includes(s));
}
