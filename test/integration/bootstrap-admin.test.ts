/**
 * The bootstrap admin custom resource (functions/bootstrap-admin.ts), run as CloudFormation runs it: its real
 * handler, with the event CloudFormation sends, reading its secret through the SDK (from a stand-in Secrets
 * Manager) and answering at the response URL, against DynamoDB Local; the key it writes is then used over HTTP.
 * The steps build on each other, as the life of one stack: create, update, a rotation, failures, delete.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import {
  type FakeCloudFormation,
  secretArn,
  startFakeCloudFormation,
} from '../support/fake-cloudformation.js';
import { tableSnapshot } from '../support/table.js';

const cloudFormation: FakeCloudFormation = await startFakeCloudFormation();
process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = cloudFormation.secretsEndpoint;
process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
const app = await startTestApp();
const api = new Api(app.url);
const { handler } = await import('../../functions/bootstrap-admin.js');
const { lambdaContext } = await import('../../local/invocation.js');
afterAll(async () => {
  await app.close();
  await cloudFormation.close();
});

const CLIENT_ID = 'cli_bootstrap_admin';
/** What Secrets Manager generates for the stack: 64 alphanumerics. */
const generatedKey = () => randomBytes(48).toString('base64url').replace(/[-_]/g, 'x').slice(0, 64);

const firstArn = secretArn('bootstrap');
const firstKey = generatedKey();
cloudFormation.secrets.set(firstArn, firstKey);

async function invoke(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown>) {
  const event = cloudFormation.event(
    requestType,
    properties,
    requestType === 'Create' ? undefined : CLIENT_ID,
  );
  const returned = await handler(event, lambdaContext('bootstrap-admin', randomUUID(), 30_000));
  const delivered = cloudFormation.responses.at(-1);
  expect(delivered).toEqual(returned);
  expect(delivered).toMatchObject({
    StackId: event['StackId'],
    RequestId: event['RequestId'],
    LogicalResourceId: event['LogicalResourceId'],
  });
  return delivered!;
}

const works = async (apiKey: string) => (await api.call('GET', '/v1/clients', { key: apiKey })).status;

describe('the bootstrap admin custom resource', () => {
  it('on Create, writes the admin client with the hash of the generated key, and that key works', async () => {
    expect(await works(firstKey)).toBe(401);
    const response = await invoke('Create', { SecretArn: firstArn });
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: CLIENT_ID,
      Data: { ClientId: CLIENT_ID, Outcome: 'created' },
    });
    expect(await works(firstKey)).toBe(200);
    const listed = await api.call('GET', '/v1/clients', { key: firstKey });
    expect(listed.body.data).toContainEqual(
      expect.objectContaining({ id: CLIENT_ID, name: 'bootstrap admin', scopes: ['admin'] }),
    );
    // Only hashes: the key itself is nowhere in the table.
    expect(JSON.stringify(await tableSnapshot(app.tableName))).not.toContain(firstKey);
  });

  it('on Update with the same secret, changes nothing', async () => {
    const before = await tableSnapshot(app.tableName);
    const response = await invoke('Update', { SecretArn: firstArn });
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { Outcome: 'existed' } });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('does not bring back a key a rotation retired', async () => {
    const rotated = await api.call('POST', `/v1/clients/${CLIENT_ID}/rotate`, {
      key: firstKey,
      body: { overlapSeconds: 1 },
    });
    expect(rotated.status).toBe(201);
    const waitMs = Date.parse(rotated.body.previousKeyExpiresAt) - Date.now() + 20;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    expect(await works(firstKey)).toBe(401);
    const before = await tableSnapshot(app.tableName);
    expect(await invoke('Update', { SecretArn: firstArn })).toMatchObject({
      Status: 'SUCCESS',
      Data: { Outcome: 'existed' },
    });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    expect(await works(firstKey)).toBe(401);
    expect(await works(rotated.body.apiKey)).toBe(200);
  }, 60_000);

  it.each([
    ['a secret too short to be a key', 'short', 'not 32-512 printable ASCII'],
    ['a secret with a space', `${'k'.repeat(40)} x`, 'not 32-512 printable ASCII'],
  ])('answers FAILED for %s, without the value, and writes nothing', async (_name, value, reason) => {
    const arn = secretArn('weak');
    cloudFormation.secrets.set(arn, value);
    const before = await tableSnapshot(app.tableName);
    const response = await invoke('Create', { SecretArn: arn });
    expect(response['Status']).toBe('FAILED');
    expect(response['Reason']).toContain(reason);
    expect(response['Reason']).not.toContain(value);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('answers FAILED for a secret it cannot read and for a malformed property, and writes nothing', async () => {
    const before = await tableSnapshot(app.tableName);
    const missing = await invoke('Update', { SecretArn: secretArn('nowhere') });
    expect(missing).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CLIENT_ID });
    expect(missing['Reason']).toContain('ResourceNotFoundException');
    const malformed = await invoke('Create', { SecretArn: 'not-an-arn' });
    expect(malformed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'BootstrapAdminClient4A77EF6B' });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('on Delete, answers SUCCESS and leaves the client (the table outlives the stack)', async () => {
    const before = await tableSnapshot(app.tableName);
    expect(await invoke('Delete', { SecretArn: firstArn })).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: CLIENT_ID,
    });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('adds a key the secret holds that the client lacks (a local restart with another key), but none to a revoked client', async () => {
    const secondArn = secretArn('second');
    const secondKey = generatedKey();
    cloudFormation.secrets.set(secondArn, secondKey);
    expect(await invoke('Update', { SecretArn: secondArn })).toMatchObject({
      Data: { Outcome: 'key_added' },
    });
    expect(await works(secondKey)).toBe(200);

    expect((await api.call('DELETE', `/v1/clients/${CLIENT_ID}`, { key: ADMIN_KEY })).status).toBe(200);
    expect(await works(secondKey)).toBe(401);
    const thirdArn = secretArn('third');
    const thirdKey = generatedKey();
    cloudFormation.secrets.set(thirdArn, thirdKey);
    const before = await tableSnapshot(app.tableName);
    expect(await invoke('Update', { SecretArn: thirdArn })).toMatchObject({
      Status: 'SUCCESS',
      Data: { Outcome: 'revoked' },
    });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    expect(await works(thirdKey)).toBe(401);
  });
});
