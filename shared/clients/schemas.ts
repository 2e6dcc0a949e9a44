/** Request schema of client creation. */
import * as z from 'zod';
import { Scope } from './model.js';

export const CreateClientBody = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1).max(4),
});
