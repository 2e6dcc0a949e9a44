/** POST /v1/accounts (admin): opens a credit account, with its credit profile if one is given (the same transaction). */
import { toAccountResource } from '../../shared/accounts/model.js';
import { CreateAccountBody } from '../../shared/accounts/schemas.js';
import { openAccount } from '../../shared/accounts/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['admin'], body: CreateAccountBody }, async ({ body }) => {
  const result = await openAccount(body);
  if (!result.ok) throw new ApiError(result.code);
  return jsonResponse(201, toAccountResource(result.account));
});
