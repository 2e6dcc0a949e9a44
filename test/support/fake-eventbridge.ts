/**
 * A stand-in EventBridge for tests that run the stream mapper Lambda (functions/jobs/event-mapper.ts): with
 * AWS_ENDPOINT_URL_EVENTBRIDGE pointing here, PutEvents lands in `entries`. Speaks only PutEvents (AWS JSON 1.1).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEventBridge {
  endpoint: string;
  entries: Array<{ EventBusName: string; Source: string; DetailType: string; Detail: string }>;
  close: () => Promise<void>;
}

export async function startFakeEventBridge(): Promise<FakeEventBridge> {
  const entries: FakeEventBridge['entries'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const ok = req.headers['x-amz-target'] === 'AWSEvents.PutEvents';
      const input = ok
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: typeof entries })
        : undefined;
      entries.push(...(input?.Entries ?? []));
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify(
          ok
            ? { FailedEntryCount: 0, Entries: (input?.Entries ?? []).map(() => ({ EventId: randomUUID() })) }
            : { __type: 'InvalidAction', message: 'the fake bus does PutEvents only' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
