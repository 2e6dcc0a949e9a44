/**
 * Webhook endpoints: where deliveries go (delivery.ts). Kept in the main table, one partition of them (an
 * endpoint list is short). The secret (`whsec_<base64>`, the Standard Webhooks form) is shown once, when the
 * endpoint is made; the deliverer reads it to sign.
 *
 *   WEBHOOK_ENDPOINTS / <endpointId>   an endpoint: url, subscribed types, secret, status
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { config } from '../config.js';
import { randomId } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { EVENT_TYPES, type EventType } from './model.js';

export const ENDPOINTS_PARTITION = 'WEBHOOK_ENDPOINTS';
/** Endpoints one service keeps at most (each one is a delivery lane per account). */
export const MAX_WEBHOOK_ENDPOINTS = 50;

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Subscribed types, or `['*']` for all. */
  events: string[];
  description?: string;
  secret: string;
  status: 'enabled' | 'disabled';
  /** Why and when deliveries stopped: an endpoint that failed every delivery for WEBHOOK_DISABLE_AFTER_MS. */
  disabledAt?: string;
  disabledReason?: string;
  /** Deployed deliverer: since when every delivery to it has failed (absent while the last one succeeded). */
  failingSince?: string;
  createdAt: string;
}

/** Hosts an `http://` URL may name, on the local server only. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `https://` anywhere; `http://127.0.0.1` (or another loopback name) only on the local server. */
export function allowedWebhookUrl(raw: string, local: boolean = !config.inLambda): boolean {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return local && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

export const CreateWebhookEndpointBody = z.strictObject({
  url: z
    .string()
    .max(2_048)
    .refine((url) => allowedWebhookUrl(url), {
      error: 'must be an https:// URL (http://127.0.0.1 is accepted by the local server only)',
    }),
  events: z
    .union([z.tuple([z.literal('*')]), z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length)])
    .meta({ description: 'The event types to deliver, or `["*"]` for every type.' }),
  description: z.string().max(500).optional(),
});

export const subscribes = (endpoint: Pick<WebhookEndpoint, 'events' | 'status'>, type: EventType): boolean =>
  endpoint.status === 'enabled' && (endpoint.events.includes('*') || endpoint.events.includes(type));

/** A new secret: 24 random bytes, as Standard Webhooks writes them. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export function toWebhookEndpointResource(endpoint: WebhookEndpoint) {
  const { secret: _secret, failingSince: _failing, ...shown } = endpoint;
  return { ...shown, object: 'webhook_endpoint' as const };
}

const endpointKey = (id: string) => ({ pk: ENDPOINTS_PARTITION, sk: id });

export async function createWebhookEndpoint(
  body: z.output<typeof CreateWebhookEndpointBody>,
  nowIso: string = new Date().toISOString(),
): Promise<WebhookEndpoint> {
  const endpoint: WebhookEndpoint = {
    id: randomId('we'),
    url: body.url,
    events: [...body.events],
    ...(body.description !== undefined ? { description: body.description } : {}),
    secret: newWebhookSecret(),
    status: 'enabled',
    createdAt: nowIso,
  };
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...endpointKey(endpoint.id), itemType: 'webhook_endpoint', ...endpoint },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return endpoint;
}

export async function listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
  const { Items } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': ENDPOINTS_PARTITION },
      Limit: MAX_WEBHOOK_ENDPOINTS,
    }),
  );
  return (Items ?? []).map(fromItem);
}

/**
 * The endpoint list as one process keeps it: read again once older than `maxAgeMs`, so a new or deleted endpoint
 * shows within that (the mapper Lambda keeps it 5 s; the local consumer 1 s).
 */
export function endpointCache(maxAgeMs: number): () => Promise<WebhookEndpoint[]> {
  let cached: { at: number; list: WebhookEndpoint[] } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > maxAgeMs)
      cached = { at: Date.now(), list: await listWebhookEndpoints() };
    return cached.list;
  };
}

export async function getWebhookEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: endpointKey(id) }));
  return Item ? fromItem(Item) : undefined;
}

/** Deletes the endpoint; returns it as it was, or undefined when there was none. */
export async function deleteWebhookEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
  const { Attributes } = await documentClient.send(
    new DeleteCommand({ TableName: tableName, Key: endpointKey(id), ReturnValues: 'ALL_OLD' }),
  );
  return Attributes ? fromItem(Attributes) : undefined;
}

/** Stops deliveries to an endpoint that kept failing; it stays listed, disabled, with the reason. */
export async function disableWebhookEndpoint(id: string, reason: string, nowIso: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: endpointKey(id),
        UpdateExpression: 'SET #status = :disabled, disabledAt = :now, disabledReason = :reason',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':now': nowIso, ':reason': reason },
      }),
    );
  } catch (error) {
    // Deleted meanwhile: nothing left to disable.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

function fromItem(item: Record<string, unknown>): WebhookEndpoint {
  const { pk: _pk, sk: _sk, itemType: _t, ...endpoint } = item;
  return endpoint as unknown as WebhookEndpoint;
}

/** Since when the endpoint has failed every delivery: the first failure after a success sets it, later ones keep it. */
export async function markFailing(id: string, nowIso: string): Promise<string> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: endpointKey(id),
        UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': nowIso },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return String(Attributes?.['failingSince'] ?? nowIso);
  } catch (error) {
    // Deleted meanwhile: it has failed for no time at all.
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return nowIso;
    throw error;
  }
}

/** A delivery succeeded: the endpoint is no longer failing. */
export async function markHealthy(id: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: endpointKey(id),
        UpdateExpression: 'REMOVE failingSince',
        ConditionExpression: 'attribute_exists(failingSince)',
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}
