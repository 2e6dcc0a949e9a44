/**
 * The crash test of the local event pipeline (local/events.ts): the stream consumer runs as a process of its own
 * and is killed (SIGKILL) in the middle of a batch, while that batch's deliveries are under way; started again,
 * it loses no event, stores none twice, and redelivers each event under the id it first carried.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { until, WebhookReceiver } from '../support/webhook-receiver.js';

const app = await startTestApp({ TABLE_STREAM: 'on' });
const api = new Api(app.url);
const { documentClient } = await import('../../shared/storage/dynamo-client.js');
const receiver = await new WebhookReceiver().start();
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await receiver.close();
  await app.close();
});

/** The consumer as `tsx local/event-consumer.ts` runs it, on this test's table. */
function startConsumer(): ChildProcess {
  const started = spawn(process.execPath, ['--import', 'tsx', 'local/event-consumer.ts'], {
    env: { ...process.env, TABLE_NAME: app.tableName, WEBHOOK_RETRY_BASE_MS: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.stdout?.resume();
  started.stderr?.resume();
  return started;
}

const exited = (process: ChildProcess) =>
  new Promise<void>((resolve) =>
    process.exitCode !== null || process.signalCode !== null
      ? resolve()
      : process.once('exit', () => resolve()),
  );

/** Every stored event of the accounts: id → the instant it was first stored (`at`). */
async function storedEvents(accountIds: readonly string[]): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  for (const accountId of accountIds) {
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: `${app.tableName}-events`,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
        ConsistentRead: true,
      }),
    );
    for (const item of Items) stored.set(String(item['event'].id), String(item['at']));
  }
  return stored;
}

it('a consumer killed mid-batch and started again loses no event, stores none twice, and keeps every id', async () => {
  const checkout = await api.createClient(['checkout']);
  const made = await api.call('POST', '/v1/webhook-endpoints', {
    key: ADMIN_KEY,
    body: { url: receiver.url, events: ['*'] },
  });
  expect(made.status).toBe(201);
  // Changes committed while no consumer runs: one batch of them waits in the stream.
  const accounts = [];
  for (let i = 0; i < 4; i += 1) accounts.push(await api.createAccount(100_000));
  for (const accountId of accounts)
    for (let i = 0; i < 10; i += 1)
      expect((await api.authorize(checkout.apiKey, { accountId, amount: 100 + i })).status).toBe(201);
  const expected = accounts.length * 11; // the opening limit and ten holds each

  // Killed at the fifth delivery, before answering it: the batch is stored, its deliveries half done.
  child = startConsumer();
  const first = child;
  receiver.onDelivery = () => {
    if (receiver.deliveries.length === 5) first.kill('SIGKILL');
  };
  await exited(first);
  receiver.onDelivery = undefined;
  const beforeCrash = new Map(receiver.deliveries.map((d) => [d.event.id, d.id]));
  expect(receiver.accepted.length).toBeLessThan(expected);
  const storedAtCrash = await storedEvents(accounts);

  child = startConsumer();
  await until(() => new Set(receiver.accepted.map((d) => d.id)).size === expected, 120_000, 'every event');
  child.kill('SIGTERM');
  await exited(child);

  const stored = await storedEvents(accounts);
  expect(stored.size).toBe(expected);
  // Nothing stored before the crash was stored again with another instant.
  for (const [id, at] of storedAtCrash) expect(stored.get(id)).toBe(at);
  // Every delivery carries its event's id as webhook-id, before the crash and after it alike.
  for (const delivery of receiver.deliveries) expect(delivery.id).toBe(delivery.event.id);
  for (const [eventId, webhookId] of beforeCrash) expect(webhookId).toBe(eventId);
  // Some event was delivered both before and after the crash (at least once), under the same id.
  const redelivered = [...beforeCrash.keys()].filter(
    (id) => receiver.deliveries.filter((d) => d.id === id).length > 1,
  );
  expect(redelivered.length).toBeGreaterThan(0);
  // In order per account, after the restart too: each account's accepted holds in creation order.
  for (const accountId of accounts) {
    const ids = receiver.accepted.filter((d) => d.event.accountId === accountId).map((d) => d.id);
    const firstSeen = [...new Set(ids)];
    expect(firstSeen).toHaveLength(11);
    const created = receiver.accepted
      .filter((d) => d.event.accountId === accountId && d.event.type === 'authorization.created')
      .map((d) => d.event.data['createdAt'] as string);
    expect(created).toEqual([...created].sort());
  }
}, 240_000);
