/** POST /v1/accounts (admin): opens a credit account, with its credit profile if one is given (the same transaction). */
import { toAccountResource } from '../../shared/accounts/model.js';
import { CreateAccountBody } from '../../shared/accounts/schemas.js';
import { openAccount } from '../../shared/accounts/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/accounts',
    scopes: ['admin'],
    body: CreateAccountBody,
    access: { table: 'write' },
    docs: {
      operationId: 'createAccount',
      summary: 'Open a credit account',
      success: { status: 201, schema: 'Account', description: 'The account.' },
      errors: ['account_exists'],
    },
  },
  async ({ body }) => {
    const result = await openAccount(body);
    if (!result.ok) throw new ApiError(result.code);
    return jsonResponse(201, toAccountResource(result.account));
  },
);

export const handler = route.handler;
