/**
 * A stand-in SQS queue for tests that run the deployed fan-out: with REFRESH_QUEUE_URL pointing here, the service
 * enqueues refresh segments as it does in AWS (the SDK's own SendMessageBatch over HTTP) instead of running them
 * in-process, and the test delivers what was sent to the worker handler, as the SQS event source would.
 * Speaks only what the service sends (SendMessageBatch, and ChangeMessageVisibility, which the webhook deliverer
 * sends to back off: recorded in `visibilityChanges`; AWS JSON 1.0); anything else is a 400.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  messageId: string;
  body: string;
}

export interface FakeSqs {
  /** A queue URL on this server: the SDK sends to a queue URL's own host. */
  queueUrl: string;
  /** Every message sent so far, oldest first. */
  sent: SentMessage[];
  /** Every ChangeMessageVisibility: the receipt handle and the new timeout (s). */
  visibilityChanges: Array<{ receiptHandle: string; visibilityTimeout: number }>;
  close: () => Promise<void>;
}

const JSON_1_0 = 'application/x-amz-json-1.0';

interface BatchRequest {
  QueueUrl?: string;
  Entries?: Array<{ Id: string; MessageBody: string }>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': JSON_1_0 });
  res.end(JSON.stringify(body));
}

export async function startFakeSqs(): Promise<FakeSqs> {
  const sent: SentMessage[] = [];
  const visibilityChanges: FakeSqs['visibilityChanges'] = [];
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    readJson(req)
      .then((input) => {
        if (target === 'AmazonSQS.ChangeMessageVisibility') {
          const change = input as { ReceiptHandle: string; VisibilityTimeout: number };
          visibilityChanges.push({
            receiptHandle: change.ReceiptHandle,
            visibilityTimeout: change.VisibilityTimeout,
          });
          return reply(res, 200, {});
        }
        if (target !== 'AmazonSQS.SendMessageBatch') {
          return reply(res, 400, {
            __type: 'com.amazonaws.sqs#InvalidAction',
            message: `the fake queue does not do ${target}`,
          });
        }
        const entries = (input as BatchRequest).Entries ?? [];
        const successful = entries.map((entry) => {
          const messageId = randomUUID();
          sent.push({ messageId, body: entry.MessageBody });
          // The SDK checks each body's MD5 against what it sent.
          return {
            Id: entry.Id,
            MessageId: messageId,
            MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
          };
        });
        reply(res, 200, { Successful: successful, Failed: [] });
      })
      .catch((error: unknown) =>
        reply(res, 400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: String(error) }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    queueUrl: `http://127.0.0.1:${port}/000000000000/credit-refresh`,
    sent,
    visibilityChanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
