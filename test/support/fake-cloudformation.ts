/**
 * What a custom resource's function talks to at deploy, stood in for locally, so tests run its real handler as
 * CloudFormation invokes it (functions/bootstrap-admin.ts):
 *   - a Secrets Manager that holds the secrets a test gives it (GetSecretValue only, AWS JSON 1.1: the SDK's own
 *     request, sent here by AWS_ENDPOINT_URL_SECRETS_MANAGER);
 *   - a pre-signed response URL that keeps every response CloudFormation would have received;
 *   - the event CloudFormation sends.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudFormation {
  /** Secrets by ARN; a test may change them. */
  secrets: Map<string, string>;
  /** Every response PUT to a response URL, oldest first (parsed JSON). */
  responses: Array<Record<string, any>>;
  /** The Secrets Manager endpoint (set AWS_ENDPOINT_URL_SECRETS_MANAGER to it before the SDK client is made). */
  secretsEndpoint: string;
  /** A CloudFormation request for a custom resource, its ResponseURL on this server. */
  event: (
    requestType: 'Create' | 'Update' | 'Delete',
    properties: Record<string, unknown>,
    physicalResourceId?: string,
  ) => Record<string, unknown>;
  close: () => Promise<void>;
}

export const secretArn = (name: string) =>
  `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

function getSecretValue(
  secrets: Map<string, string>,
  input: { SecretId?: string },
  res: ServerResponse,
): void {
  const value = secrets.get(input.SecretId ?? '');
  if (value === undefined)
    reply(res, 400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can’t find it.' });
  else reply(res, 200, { ARN: input.SecretId, Name: 'secret', SecretString: value, VersionId: randomUUID() });
}

export async function startFakeCloudFormation(): Promise<FakeCloudFormation> {
  const secrets = new Map<string, string>();
  const responses: Array<Record<string, any>> = [];
  const server = createServer((req, res) => {
    readText(req)
      .then((text) => {
        if (req.method === 'PUT' && req.url?.startsWith('/responses/')) {
          responses.push(JSON.parse(text));
          res.writeHead(200).end();
          return;
        }
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target !== 'secretsmanager.GetSecretValue')
          return reply(res, 400, { __type: 'InvalidRequestException', message: `not here: ${target}` });
        getSecretValue(secrets, JSON.parse(text), res);
      })
      .catch((error: unknown) =>
        reply(res, 400, { __type: 'InvalidRequestException', message: String(error) }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    secrets,
    responses,
    secretsEndpoint: origin,
    event: (requestType, properties, physicalResourceId) => ({
      RequestType: requestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:bootstrap',
      ResponseURL: `${origin}/responses/${randomUUID()}?X-Amz-Signature=local`,
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/CreditAuthorization/1',
      RequestId: randomUUID(),
      LogicalResourceId: 'BootstrapAdminClient4A77EF6B',
      ...(physicalResourceId === undefined ? {} : { PhysicalResourceId: physicalResourceId }),
      ResourceType: 'Custom::BootstrapAdminClient',
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:bootstrap',
        ...properties,
      },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
