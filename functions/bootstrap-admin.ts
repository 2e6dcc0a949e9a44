/**
 * The stack's bootstrap admin client, as a CloudFormation custom resource (infra/constructs/bootstrap-admin.ts):
 * on Create and Update, reads the generated key from the secret the resource names and writes the client's items
 * (hashes only, each only if absent: shared/clients/bootstrap.ts); on Delete, does nothing: the table outlives
 * the stack, and the client in it is revoked through the API (DELETE /v1/clients/cli_bootstrap_admin).
 */
import * as z from 'zod';
import { BOOTSTRAP_ADMIN, bootstrapAdmin } from '../shared/clients/bootstrap.js';
import { customResourceHandler } from '../shared/deploy/custom-resource.js';
import { logger } from '../shared/observability/logger.js';

/** The resource's properties (CloudFormation adds ServiceToken): the secret holding the key. */
const Properties = z.object({
  SecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/),
});

export const handler = customResourceHandler(async (event) => {
  const physicalResourceId = BOOTSTRAP_ADMIN.id;
  if (event.RequestType === 'Delete') return { physicalResourceId };
  const { SecretArn } = Properties.parse(event.ResourceProperties);
  const outcome = await bootstrapAdmin(SecretArn);
  logger.info('bootstrap admin client', { outcome, clientId: BOOTSTRAP_ADMIN.id });
  return { physicalResourceId, data: { ClientId: BOOTSTRAP_ADMIN.id, Outcome: outcome } };
});
