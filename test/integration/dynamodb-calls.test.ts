/**
 * One DynamoDB round trip on the authorize happy path (DESIGN.md guarantee 4), counted by an SDK middleware
 * on the very client the handlers use.
 */
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
const sent: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  const { dynamoClient } = await import('../../shared/storage/dynamo-client.js');
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countDynamoCalls' },
  );
});
afterAll(() => app.close());

describe('DynamoDB calls per operation', () => {
  it('an approved authorize makes exactly one call: TransactWriteItems', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    // The first call of a key resolves it (the authorizer's cache, as API Gateway's); then count.
    await api.call('GET', `/v1/accounts/${accountId}`, { key: checkout.apiKey });
    sent.length = 0;
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 });
    expect(reply.status).toBe(201);
    expect(sent).toEqual(['TransactWriteItemsCommand']);
  });

  it('a capture makes two: one TransactGetItems snapshot and one TransactWriteItems', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    const hold = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 });
    sent.length = 0;
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${hold.body.id}/capture`);
    expect(reply.status).toBe(200);
    expect(sent).toEqual(['TransactGetItemsCommand', 'TransactWriteItemsCommand']);
  });
});
