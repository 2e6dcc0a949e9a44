/**
 * The local service as one object: the table, the bootstrap admin client and the HTTP server. Import it only
 * after the environment (DYNAMODB_ENDPOINT, TABLE_NAME, ...) is set: configuration is read at first import.
 */
import type { AddressInfo } from 'node:net';
import { bootstrapClient } from '../shared/clients/repository.js';
import { config } from '../shared/config.js';
import { seedRiskSettings } from '../shared/settings/source.js';
import { ensureTable } from '../shared/storage/create-table.js';
import { dynamoClient } from '../shared/storage/dynamo-client.js';
import { logger } from '../shared/observability/logger.js';
import { createApiServer, type ExtraRoute, type LambdaHandler, loadRoutes } from './server.js';

/**
 * The bootstrap admin's fixed id: restarting with another ADMIN_API_KEY adds a key to it, it never duplicates it; a
 * key it already had (even one a rotation retired) is left as it is, and a revoked local admin stays revoked.
 */
export const LOCAL_ADMIN_CLIENT_ID = 'cli_local_admin';

let openApiDocument: Record<string, unknown> | undefined;

export interface RunningApp {
  url: string;
  port: number;
  close: () => Promise<void>;
}

export async function startApp(options: {
  port: number;
  adminApiKey: string;
  extras?: ExtraRoute[];
  /** Route handlers to serve instead of the modules' own, by handler name (tests only). */
  handlers?: Readonly<Record<string, LambdaHandler>>;
}): Promise<RunningApp> {
  await ensureTable(config.tableName);
  // As a deploy creates the SSM parameter: the risk settings start from the environment's defaults.
  await seedRiskSettings();
  const outcome = await bootstrapClient(
    {
      id: LOCAL_ADMIN_CLIENT_ID,
      name: 'local admin',
      scopes: ['admin'],
      createdAt: new Date().toISOString(),
    },
    options.adminApiKey,
  );
  if (outcome === 'revoked')
    logger.warn('local: the local admin client is revoked; ADMIN_API_KEY will not work');
  const openApi: ExtraRoute = {
    method: 'GET',
    path: '/openapi.json',
    respond: async () => {
      // Built on first request: the generator is a local/documentation concern, not a handler's.
      const { buildOpenApiDocument } = await import('../shared/openapi/document.js');
      const { ROUTES } = await import('../functions/routes.js');
      openApiDocument ??= buildOpenApiDocument(ROUTES);
      return { status: 200, body: openApiDocument };
    },
  };
  const server = createApiServer(loadRoutes(options.handlers), [openApi, ...(options.extras ?? [])]);
  // Many concurrent checkouts from one load generator: keep sockets alive between requests.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          // Drop the keep-alive sockets to DynamoDB too, so the process can exit.
          dynamoClient.destroy();
          resolve();
        });
      }),
  };
}
