/**
 * The fault proxy (local/fault-proxy.ts) on its own, through the raw AWS SDK v3 client and a table of its own on
 * the shared DynamoDB Local: it forwards transparently, and each fault it injects reaches the SDK as the error
 * DynamoDB itself would cause — or, for a response lost after commit, as a network error while the write did
 * happen; a stalled answer arrives only after the hold, so a caller sees it as silence until its own deadline.
 * Faults replay from the seed and are counted in the proxy's stats; targeted faults hit only the requests that
 * name one item. The service's own retries under these faults are test/integration/faults.test.ts.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../local/dynamodb-local.js';
import {
  startFaultProxy,
  type FaultProxy,
  type FaultRates,
  type TargetedFault,
} from '../../local/fault-proxy.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
const tableName = `fault_proxy_${randomBytes(6).toString('hex')}`;
/** Every test makes a handful of local round trips; anything slower than this is a hang, not a slow run. */
const TEST_TIMEOUT_MS = 15_000;
const TARGET = 'DynamoDB_20120810';
const NO_FAULTS = {
  transactionConflict: 0,
  throttle: 0,
  dropResponseAfterCommit: 0,
  internalError: 0,
  stall: 0,
};
/** How long a caller waits for a stalled answer before it gives up: far below the proxy's default hold (10 s). */
const CALLER_PATIENCE_MS = 200;

/** The raw SDK client, as the tests' subject: one attempt unless a test is about the SDK's retry. */
function sdkClient(endpoint: string, maxAttempts = 1): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 3_000 }),
  });
}

/** Reads and writes that must not pass through the proxy: what is really in DynamoDB Local. */
const direct = sdkClient(directEndpoint);
/** Proxies and clients a test opened, closed after it whatever its outcome. */
const opened: Array<() => Promise<void> | void> = [];

async function proxyWith(
  options: { seed?: number; faults?: Partial<FaultRates>; stallMs?: number; targeted?: TargetedFault[] } = {},
): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: directEndpoint, ...options });
  opened.push(() => proxy.close());
  return proxy;
}

function through(proxy: FaultProxy, maxAttempts = 1): DynamoDBClient {
  const client = sdkClient(proxy.endpoint, maxAttempts);
  opened.push(() => client.destroy());
  return client;
}

function key(): Record<string, AttributeValue> {
  return { pk: { S: `k-${randomBytes(6).toString('hex')}` } };
}

async function storedItem(
  itemKey: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await direct.send(
    new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
  );
  return Item;
}

/** What an SDK call ended in: 'ok' or the error's name (the SDK's error class for a DynamoDB error). */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

/** Waits for something the proxy notices asynchronously (a closed connection), failing after `limitMs`. */
async function until(condition: () => boolean, limitMs = 5_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= limitMs) throw new Error('condition not met');
    await sleep(10);
  }
}

async function rejection(
  call: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; code?: string }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  await direct.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});
afterAll(async () => {
  await direct.send(new DeleteTableCommand({ TableName: tableName }));
  direct.destroy();
});

describe('fault proxy', () => {
  it(
    'without faults forwards requests and answers unchanged',
    async () => {
      const proxy = await proxyWith();
      const client = through(proxy);
      const itemKey = key();
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...itemKey, n: { N: '1' } } }));
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
      );
      expect(Item).toEqual({ ...itemKey, n: { N: '1' } });
      expect(await storedItem(itemKey)).toEqual({ ...itemKey, n: { N: '1' } });
      // A DynamoDB error passes through as itself, too.
      const failed = await rejection(
        client.send(new GetItemCommand({ TableName: `${tableName}_missing`, Key: itemKey })),
      );
      expect(failed.name).toBe('ResourceNotFoundException');
      const stats = proxy.stats();
      expect(stats.forwarded).toBe(3);
      expect(stats.injected).toEqual(NO_FAULTS);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'transactionConflict cancels a TransactWriteItems with one TransactionConflict reason and writes nothing',
    async () => {
      const proxy = await proxyWith({ faults: { transactionConflict: 1 } });
      const client = through(proxy);
      const keys = [key(), key(), key()];
      const error = await rejection(
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: keys.map((k) => ({ Put: { TableName: tableName, Item: k } })),
          }),
        ),
      );

      expect(error).toBeInstanceOf(TransactionCanceledException);
      const cancelled = error as TransactionCanceledException;
      expect(cancelled.$metadata.httpStatusCode).toBe(400);
      // The SDK moves DynamoDB's `Message` into `message` (as for a cancellation DynamoDB Local raises itself).
      expect(cancelled.message).toMatch(
        /^Transaction cancelled, please refer cancellation reasons for specific reasons \[/,
      );
      const codes = (cancelled.CancellationReasons ?? []).map((r) => r.Code);
      expect(codes).toHaveLength(keys.length);
      expect(codes.filter((c) => c === 'TransactionConflict')).toHaveLength(1);
      expect(codes.filter((c) => c === 'None')).toHaveLength(keys.length - 1);
      for (const k of keys) expect(await storedItem(k)).toBeUndefined();
      // Only transactions conflict: a single-item write through the same proxy goes through.
      const single = key();
      await client.send(new PutItemCommand({ TableName: tableName, Item: single }));
      expect(await storedItem(single)).toEqual(single);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'throttle answers ProvisionedThroughputExceededException, which the SDK retries as throttling',
    async () => {
      const proxy = await proxyWith({ faults: { throttle: 1 } });
      const itemKey = key();
      const once = await rejection(
        through(proxy).send(new PutItemCommand({ TableName: tableName, Item: itemKey })),
      );
      expect(once.name).toBe('ProvisionedThroughputExceededException');
      expect(once.$metadata?.httpStatusCode).toBe(400);
      expect(await storedItem(itemKey)).toBeUndefined();

      const retried = await rejection(
        through(proxy, 2).send(new GetItemCommand({ TableName: tableName, Key: itemKey })),
      );
      expect(retried.name).toBe('ProvisionedThroughputExceededException');
      expect(retried.$metadata?.attempts).toBe(2);
      expect(proxy.stats().injected.throttle).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'internalError answers HTTP 500 InternalServerError, which the SDK retries',
    async () => {
      const proxy = await proxyWith({ faults: { internalError: 1 } });
      const itemKey = key();
      const retried = await rejection(
        through(proxy, 2).send(new PutItemCommand({ TableName: tableName, Item: itemKey })),
      );
      expect(retried.name).toBe('InternalServerError');
      expect(retried.$metadata?.httpStatusCode).toBe(500);
      expect(retried.$metadata?.attempts).toBe(2);
      expect(await storedItem(itemKey)).toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dropResponseAfterCommit fails a PutItem with a network error although the item was written',
    async () => {
      const proxy = await proxyWith({ faults: { dropResponseAfterCommit: 1 } });
      const client = through(proxy);
      const itemKey = key();
      const error = await rejection(
        client.send(new PutItemCommand({ TableName: tableName, Item: { ...itemKey, n: { N: '7' } } })),
      );
      // No HTTP answer at all: the connection closed under the request. (Under jest the SDK wraps node's
      // ECONNRESET error, which comes from another realm, so its code is only in the message.)
      expect(error.$metadata?.httpStatusCode).toBeUndefined();
      expect(error.message).toMatch(/socket hang up/);
      expect(await storedItem(itemKey)).toEqual({ ...itemKey, n: { N: '7' } });
      // The SDK treats it as transient and sends the write again (dropped again here: the rate is 1).
      const again = key();
      const retried = await rejection(
        through(proxy, 2).send(new PutItemCommand({ TableName: tableName, Item: again })),
      );
      expect(retried.$metadata?.attempts).toBe(2);
      expect(await storedItem(again)).toEqual(again);
      // Reads are never dropped: there is no commit to lose.
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
      );
      expect(Item).toEqual({ ...itemKey, n: { N: '7' } });
      expect(proxy.stats().operations['DynamoDB_20120810.PutItem']).toEqual({
        requests: 3,
        forwarded: 3,
        injected: { ...NO_FAULTS, dropResponseAfterCommit: 3 },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stall forwards a write and holds the answer: it commits, and a caller that stops waiting abandons it',
    async () => {
      const proxy = await proxyWith({ faults: { stall: 1 } });
      const client = through(proxy);
      const itemKey = key();
      const put = client.send(
        new PutItemCommand({ TableName: tableName, Item: { ...itemKey, n: { N: '3' } } }),
        {
          abortSignal: AbortSignal.timeout(CALLER_PATIENCE_MS),
        },
      );
      expect((await rejection(put)).name).toBe('AbortError');
      // Nothing came back, yet the write is in the table: the stall came after DynamoDB committed.
      expect(await storedItem(itemKey)).toEqual({ ...itemKey, n: { N: '3' } });
      await until(() => proxy.stats().abandoned === 1);
      expect(proxy.stats()).toMatchObject({
        requests: 1,
        forwarded: 1,
        abandoned: 1,
        injected: { ...NO_FAULTS, stall: 1 },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a stalled answer arrives whole once the hold ends',
    async () => {
      const itemKey = key();
      await direct.send(new PutItemCommand({ TableName: tableName, Item: { ...itemKey, n: { N: '4' } } }));
      const proxy = await proxyWith({ stallMs: 50, faults: { stall: 1 } });
      const { Item } = await through(proxy).send(
        new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
      );
      expect(Item).toEqual({ ...itemKey, n: { N: '4' } });
      expect(proxy.stats()).toMatchObject({
        requests: 1,
        forwarded: 1,
        abandoned: 0,
        injected: { ...NO_FAULTS, stall: 1 },
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the same seed gives the same fault sequence',
    async () => {
      const itemKey = key();
      const sequence = async (seed: number): Promise<string[]> => {
        const proxy = await proxyWith({ seed, faults: { throttle: 0.3, internalError: 0.3 } });
        const client = through(proxy);
        const outcomes: string[] = [];
        for (let i = 0; i < 12; i += 1) {
          outcomes.push(
            await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: itemKey }))),
          );
        }
        return outcomes;
      };
      const first = await sequence(618);
      expect(await sequence(618)).toEqual(first);
      // The sequence is a real mix, and another seed gives another one.
      expect(new Set(first)).toEqual(
        new Set(['ok', 'ProvisionedThroughputExceededException', 'InternalServerError']),
      );
      expect(await sequence(619)).not.toEqual(first);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stats count requests, forwards and every injected fault, per X-Amz-Target',
    async () => {
      const proxy = await proxyWith();
      const client = through(proxy);
      const itemKey = key();
      await client.send(new PutItemCommand({ TableName: tableName, Item: itemKey }));
      proxy.setFaults({ transactionConflict: 1 });
      await outcome(
        client.send(
          new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: key() } }] }),
        ),
      );
      proxy.setFaults({ transactionConflict: 0, throttle: 1 });
      await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: itemKey })));
      proxy.setFaults({ throttle: 0, internalError: 1 });
      await outcome(client.send(new DeleteItemCommand({ TableName: tableName, Key: itemKey })));
      proxy.setFaults({ internalError: 0, dropResponseAfterCommit: 1 });
      await outcome(
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: itemKey,
            UpdateExpression: 'SET n = :n',
            ExpressionAttributeValues: { ':n': { N: '2' } },
          }),
        ),
      );

      const line = (forwarded: number, injected: Partial<FaultRates>) => ({
        requests: 1,
        forwarded,
        injected: { ...NO_FAULTS, ...injected },
      });
      expect(proxy.stats()).toEqual({
        requests: 5,
        forwarded: 2,
        proxyErrors: 0,
        abandoned: 0,
        injected: {
          transactionConflict: 1,
          throttle: 1,
          internalError: 1,
          dropResponseAfterCommit: 1,
          stall: 0,
        },
        byOperation: { PutItem: 1, TransactWriteItems: 1, GetItem: 1, DeleteItem: 1, UpdateItem: 1 },
        operations: {
          [`${TARGET}.PutItem`]: line(1, {}),
          [`${TARGET}.TransactWriteItems`]: line(0, { transactionConflict: 1 }),
          [`${TARGET}.GetItem`]: line(0, { throttle: 1 }),
          [`${TARGET}.DeleteItem`]: line(0, { internalError: 1 }),
          [`${TARGET}.UpdateItem`]: line(1, { dropResponseAfterCommit: 1 }),
        },
      });
      // The delete answered with an internal error never ran; the update whose answer was dropped did commit.
      expect(await storedItem(itemKey)).toEqual({ ...itemKey, n: { N: '2' } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a targeted fault fails every request of its operation that names the item, and only those, until lifted',
    async () => {
      const poisoned = key();
      const poisonedValue = poisoned['pk']!.S!;
      const proxy = await proxyWith({
        targeted: [
          { operation: 'TransactWriteItems', bodyIncludes: poisonedValue, fault: 'transactionConflict' },
        ],
      });
      const client = through(proxy);
      const others = [key(), key()];
      const touching = () =>
        new TransactWriteItemsCommand({
          TransactItems: [others[0]!, poisoned, others[1]!].map((k) => ({
            Put: { TableName: tableName, Item: k },
          })),
        });
      // Every time, and the conflict is reported on the entry that names the item.
      for (let i = 0; i < 3; i += 1) {
        const error = await rejection(client.send(touching()));
        expect(error).toBeInstanceOf(TransactionCanceledException);
        expect(
          ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code),
        ).toEqual(['None', 'TransactionConflict', 'None']);
      }
      for (const k of [poisoned, ...others]) expect(await storedItem(k)).toBeUndefined();
      // A transaction without the item, and another operation naming it, go through.
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: others.map((k) => ({ Put: { TableName: tableName, Item: k } })),
        }),
      );
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...poisoned, n: { N: '1' } } }));
      expect(await storedItem(poisoned)).toEqual({ ...poisoned, n: { N: '1' } });

      // Another kind on another operation; then lifted, the item is writable again.
      proxy.setTargetedFaults([
        { operation: 'GetItem', bodyIncludes: poisonedValue, fault: 'internalError' },
      ]);
      const read = await rejection(client.send(new GetItemCommand({ TableName: tableName, Key: poisoned })));
      expect(read.name).toBe('InternalServerError');
      expect(await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: others[0]! })))).toBe(
        'ok',
      );
      proxy.setTargetedFaults([]);
      expect(await outcome(client.send(touching()))).toBe('ok');
      expect(await storedItem(poisoned)).toEqual(poisoned);
      expect(proxy.stats().injected).toEqual({ ...NO_FAULTS, transactionConflict: 3, internalError: 1 });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects a malformed targeted fault and keeps the previous ones',
    async () => {
      const itemKey = key();
      const rule = { operation: 'GetItem', bodyIncludes: itemKey['pk']!.S!, fault: 'throttle' as const };
      const started = startFaultProxy({
        target: directEndpoint,
        targeted: [{ ...rule, operation: 'PutItem', fault: 'transactionConflict' }],
      });
      await expect(started.then((unexpected) => opened.push(() => unexpected.close()))).rejects.toThrow(
        /only TransactWriteItems/,
      );
      const proxy = await proxyWith({ targeted: [rule] });
      expect(() => proxy.setTargetedFaults([{ ...rule, bodyIncludes: '' }])).toThrow();
      expect(() =>
        proxy.setTargetedFaults([{ ...rule, fault: 'dropResponseAfterCommit' } as never]),
      ).toThrow();
      const failed = await rejection(
        through(proxy).send(new GetItemCommand({ TableName: tableName, Key: itemKey })),
      );
      expect(failed.name).toBe('ProvisionedThroughputExceededException');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 502 of its own when the target is unreachable, so that is never mistaken for an injected fault',
    async () => {
      const proxy = await startFaultProxy({ target: `http://127.0.0.1:${await freePort()}` });
      opened.push(() => proxy.close());
      const error = await rejection(
        through(proxy).send(new GetItemCommand({ TableName: tableName, Key: key() })),
      );
      expect(error.$metadata?.httpStatusCode).toBe(502);
      expect(error.message).toMatch(/^fault proxy: /);
      expect(proxy.stats()).toMatchObject({ requests: 1, forwarded: 0, proxyErrors: 1, injected: NO_FAULTS });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'holdNext keeps the next write of that kind from DynamoDB until released, while later requests pass it',
    async () => {
      const proxy = await proxyWith();
      const client = through(proxy);
      const [slow, fast] = [key(), key()];
      const hold = proxy.holdNext('TransactWriteItems');
      // Reads are not that operation: they pass while the hold is armed.
      expect(await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: slow })))).toBe('ok');
      const slowWrite = client.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: slow } }] }),
      );
      await hold.caught;
      // Held, not written; a write sent after it commits first.
      expect(await storedItem(slow)).toBeUndefined();
      await client.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: fast } }] }),
      );
      expect(await storedItem(fast)).toEqual(fast);
      expect(await storedItem(slow)).toBeUndefined();
      hold.release();
      await slowWrite;
      expect(await storedItem(slow)).toEqual(slow);
      expect(proxy.stats()).toMatchObject({ requests: 3, forwarded: 3, injected: NO_FAULTS });
      expect(() => proxy.holdNext('TransactWriteItems')).not.toThrow();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'holds one request at a time, and close() lets a held request go',
    async () => {
      const proxy = await startFaultProxy({ target: directEndpoint });
      const client = sdkClient(proxy.endpoint);
      opened.push(() => client.destroy());
      const hold = proxy.holdNext('PutItem');
      expect(() => proxy.holdNext('PutItem')).toThrow(/one hold at a time/);
      const write = outcome(client.send(new PutItemCommand({ TableName: tableName, Item: key() })));
      await hold.caught;
      await proxy.close();
      // Released into a closing proxy: the request fails rather than hanging the test.
      expect(await write).not.toBe('ok');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'script: the next requests of one operation meet the listed faults in order, then the rates apply again',
    async () => {
      const proxy = await proxyWith();
      const client = through(proxy);
      const keys = [key(), key(), key(), key()];
      proxy.script('PutItem', ['internalError', 'none', 'throttle']);
      const outcomes: string[] = [];
      for (const k of keys) {
        outcomes.push(await outcome(client.send(new PutItemCommand({ TableName: tableName, Item: k }))));
        // Other operations do not consume the script.
        expect(await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: k })))).toBe('ok');
      }
      expect(outcomes).toEqual(['InternalServerError', 'ok', 'ProvisionedThroughputExceededException', 'ok']);
      expect([
        await storedItem(keys[0]!),
        await storedItem(keys[1]!),
        await storedItem(keys[2]!),
        await storedItem(keys[3]!),
      ]).toEqual([undefined, keys[1], undefined, keys[3]]);
      expect(proxy.stats().operations[`${TARGET}.PutItem`]).toEqual({
        requests: 4,
        forwarded: 2,
        injected: { ...NO_FAULTS, internalError: 1, throttle: 1 },
      });

      // A transaction can be scripted to conflict; a script is replaced whole, and [] clears it.
      proxy.script('TransactWriteItems', ['transactionConflict', 'transactionConflict']);
      proxy.script('TransactWriteItems', ['transactionConflict']);
      const put = () =>
        client.send(
          new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: tableName, Item: key() } }] }),
        );
      expect([await outcome(put()), await outcome(put())]).toEqual(['TransactionCanceledException', 'ok']);
      proxy.script('TransactWriteItems', ['internalError']);
      proxy.script('TransactWriteItems', []);
      expect(await outcome(put())).toBe('ok');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'script: refuses a fault the operation cannot meet, or an unknown one, and changes nothing',
    async () => {
      const proxy = await proxyWith();
      proxy.script('PutItem', ['internalError']);
      expect(() => proxy.script('PutItem', ['transactionConflict'])).toThrow(
        /PutItem cannot meet transactionConflict/,
      );
      expect(() => proxy.script('GetItem', ['dropResponseAfterCommit'])).toThrow(
        /GetItem cannot meet dropResponseAfterCommit/,
      );
      expect(() => proxy.script('PutItem', ['meltdown' as never])).toThrow(/cannot meet meltdown/);
      // The PutItem script given before the refusals still stands.
      const client = through(proxy);
      expect(await outcome(client.send(new PutItemCommand({ TableName: tableName, Item: key() })))).toBe(
        'InternalServerError',
      );
      expect(await outcome(client.send(new PutItemCommand({ TableName: tableName, Item: key() })))).toBe(
        'ok',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects rates outside [0, 1] and keeps the previous ones',
    async () => {
      await expect(startFaultProxy({ target: directEndpoint, faults: { throttle: 1.5 } })).rejects.toThrow();
      const proxy = await proxyWith();
      expect(() => proxy.setFaults({ throttle: 0.5, internalError: -0.1 })).toThrow();
      expect(() => proxy.setFaults({ throtle: 1 } as Partial<FaultRates>)).toThrow();
      // Nothing half-applied: the proxy is still transparent.
      const client = through(proxy);
      for (let i = 0; i < 5; i += 1)
        expect(await outcome(client.send(new GetItemCommand({ TableName: tableName, Key: key() })))).toBe(
          'ok',
        );
      expect(proxy.stats().injected).toEqual(NO_FAULTS);
    },
    TEST_TIMEOUT_MS,
  );
});
