/**
 * The deployed stack's first admin client (infra/constructs/bootstrap-admin.ts). Its key is a string Secrets
 * Manager generates at deploy, so it is in no template, no code and no function environment; the operator reads it
 * once (docs/CAPACITY.md, "Standing it up") and rotates it through the API. This reads the secret and writes the
 * client's items, hashes only, each only if it does not exist yet (repository.ts `bootstrapClient`): running it
 * again (a stack update, a replaced custom resource) changes nothing, and a key a rotation retired stays retired.
 *
 * The key is the secret string exactly as generated: no `sk_` prefix (Secrets Manager cannot add one, and the
 * operator's `get-secret-value` should print the very key to send). Nothing depends on the prefix: the authorizer
 * takes any 1-512 printable ASCII characters, and only the hash is stored.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { config } from '../config.js';
import type { Client } from './model.js';
import { type BootstrapOutcome, bootstrapClient } from './repository.js';

/** The bootstrap admin: a fixed id, so every run of the bootstrap finds the client an earlier run made. */
export const BOOTSTRAP_ADMIN: Omit<Client, 'createdAt'> = {
  id: 'cli_bootstrap_admin',
  name: 'bootstrap admin',
  scopes: ['admin'],
};

/**
 * What the secret must hold: what the authorizer accepts (printable ASCII, at most 512), and at least 32
 * characters, so a hand-set weak value is refused (the stack generates 64 alphanumerics, about 380 bits).
 */
const BOOTSTRAP_KEY = /^[\x21-\x7e]{32,512}$/;

/** A GetSecretValue in the Region takes milliseconds; a deploy-time call can afford a few seconds and retries. */
const SECRETS_REQUEST_TIMEOUT_MS = 5_000;
const SECRETS_CONNECTION_TIMEOUT_MS = 1_000;
const SECRETS_MAX_ATTEMPTS = 3;

let secretsClient: SecretsManagerClient | undefined;
/** One client per execution environment, made on first use (tests point it elsewhere before that). */
function defaultSecretsClient(): SecretsManagerClient {
  secretsClient ??= new SecretsManagerClient({
    region: config.region,
    maxAttempts: SECRETS_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      requestTimeout: SECRETS_REQUEST_TIMEOUT_MS,
      connectionTimeout: SECRETS_CONNECTION_TIMEOUT_MS,
    }),
  });
  return secretsClient;
}

/** The bootstrap key held in `secretArn`; throws (naming what is wrong, never the value) if it is not one. */
export async function readBootstrapKey(
  secretArn: string,
  client: SecretsManagerClient = defaultSecretsClient(),
): Promise<string> {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const key = secret.SecretString;
  if (key === undefined) throw new Error('the bootstrap admin secret holds no string');
  if (!BOOTSTRAP_KEY.test(key))
    throw new Error('the bootstrap admin secret is not 32-512 printable ASCII characters without spaces');
  return key;
}

/** Makes the bootstrap admin client with the key in `secretArn`, unless that key or the revoked client exists. */
export async function bootstrapAdmin(
  secretArn: string,
  now: Date = new Date(),
  client?: SecretsManagerClient,
): Promise<BootstrapOutcome> {
  const key = await readBootstrapKey(secretArn, client);
  return bootstrapClient({ ...BOOTSTRAP_ADMIN, createdAt: now.toISOString() }, key);
}
