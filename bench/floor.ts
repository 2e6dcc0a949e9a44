/**
 * The floor: DynamoDB Local's own cost for what an authorize writes. Each request is a raw TransactWriteItems
 * built by the service's own item builders (authorization put + guarded account update + journal put), sent
 * straight to DynamoDB Local over HTTP by the same load tool, so ours / floor is our overhead alone.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import type { PreparedRequest } from './load.js';

type Builders = {
  newAuthorizationPut: typeof import('../shared/authorizations/repository.js').newAuthorizationPut;
  reserveUpdate: typeof import('../shared/accounts/repository.js').reserveUpdate;
  journalPut: typeof import('../shared/journal/repository.js').journalPut;
  newJournalEntry: typeof import('../shared/journal/repository.js').newJournalEntry;
  recordFields: typeof import('../shared/idempotency/records.js').recordFields;
  toAuthorizationResource: typeof import('../shared/authorizations/model.js').toAuthorizationResource;
};

export async function loadBuilders(): Promise<Builders> {
  const [auth, accounts, journal, records, model] = await Promise.all([
    import('../shared/authorizations/repository.js'),
    import('../shared/accounts/repository.js'),
    import('../shared/journal/repository.js'),
    import('../shared/idempotency/records.js'),
    import('../shared/authorizations/model.js'),
  ]);
  return {
    newAuthorizationPut: auth.newAuthorizationPut,
    reserveUpdate: accounts.reserveUpdate,
    journalPut: journal.journalPut,
    newJournalEntry: journal.newJournalEntry,
    recordFields: records.recordFields,
    toAuthorizationResource: model.toAuthorizationResource,
  };
}

const OPTS = { removeUndefinedValues: true } as const;

/** One document-client transact item → the low-level JSON DynamoDB's HTTP API takes. */
export function wireItem(item: Record<string, any>): Record<string, unknown> {
  const [kind, op] = Object.entries(item)[0] as [string, Record<string, any>];
  const wire: Record<string, unknown> = { ...op };
  if (op['Item']) wire['Item'] = marshall(op['Item'], OPTS);
  if (op['Key']) wire['Key'] = marshall(op['Key'], OPTS);
  if (op['ExpressionAttributeValues'])
    wire['ExpressionAttributeValues'] = marshall(op['ExpressionAttributeValues'], OPTS);
  return { [kind]: wire };
}

/** Document-client transact items → a TransactWriteItems body (with a token, as ours send). */
function toWire(items: Array<Record<string, any>>): string {
  return JSON.stringify({ ClientRequestToken: randomUUID(), TransactItems: items.map(wireItem) });
}

const SIGNATURE_STUB =
  'AWS4-HMAC-SHA256 Credential=local/20261125/us-east-1/dynamodb/aws4_request, ' +
  'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00';

/** `count` raw authorize-shaped transactions over the given accounts (round robin). */
export function floorRequests(b: Builders, accountIds: readonly string[], count: number): PreparedRequest[] {
  const requests: PreparedRequest[] = [];
  for (let i = 0; i < count; i += 1) {
    const accountId = accountIds[i % accountIds.length]!;
    const nowIso = new Date().toISOString();
    const id = `auth_${randomBytes(16).toString('base64url')}`;
    const authorization = {
      id,
      accountId,
      clientId: 'cli_bench',
      orderId: `o-${i}`,
      currency: 'CNY',
      amount: 100,
      capturedAmount: 0,
      releasedAmount: 0,
      refundedAmount: 0,
      status: 'authorized' as const,
      expiresAt: nowIso,
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
    };
    const response = { status: 201, body: JSON.stringify(b.toAuthorizationResource(authorization)) };
    const items = [
      b.newAuthorizationPut(
        authorization,
        b.recordFields('authorize', 'cli_bench', 'x'.repeat(43), response),
      ),
      // The velocity guard in its one shape (append, drop the oldest), always true here (a 1 ms window): the same
      // update and condition cost as an authorize's.
      b.reserveUpdate({
        accountId,
        amountMinor: 100,
        currency: 'CNY',
        nowIso,
        velocity: { max: 32, windowMs: 1, nowMs: Date.parse(nowIso) },
      }),
      b.journalPut(
        b.newJournalEntry({
          accountId,
          type: 'reserve',
          amount: 100,
          delta: { reserved: 100, outstanding: 0, totalLimit: 0 },
          authorizationId: id,
          nowIso,
        }),
      ),
    ];
    requests.push({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.TransactWriteItems',
        'x-amz-date': '20261125T000000Z',
        authorization: SIGNATURE_STUB,
      },
      body: toWire(items as Array<Record<string, any>>),
    });
  }
  return requests;
}
