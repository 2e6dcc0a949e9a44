/**
 * Revoking and rotating a client's keys: the storage operation, then the local authentication cache told, so that
 * locally a revoked or retired key fails on the very next request (shared/clients/authenticate.ts).
 */
import { newApiKey } from '../ids.js';
import { forgetClient } from './authenticate.js';
import type { ClientView } from './model.js';
import { revokeClient, type RotationResult, rotateClientKey } from './repository.js';

/** Revokes every key of the client; the client as revoked (the first `revokedAt` if already), or undefined. */
export async function revoke(clientId: string, now: Date = new Date()): Promise<ClientView | undefined> {
  const client = await revokeClient(clientId, now);
  if (client) forgetClient(clientId);
  return client;
}

/** A rotation's answer: the new key (shown once) with the client, or why there is none. */
export type Rotation =
  | Extract<RotationResult, { ok: false }>
  | (Extract<RotationResult, { ok: true }> & { apiKey: string });

/** A new current key for the client; the ones it had stop `overlapSeconds` from now at the latest. */
export async function rotate(
  clientId: string,
  overlapSeconds: number,
  now: Date = new Date(),
): Promise<Rotation> {
  const apiKey = newApiKey();
  const result = await rotateClientKey(clientId, apiKey, now, overlapSeconds);
  if (!result.ok) return result;
  forgetClient(clientId);
  return { ...result, apiKey };
}
