/** Request schemas of client creation and key rotation. */
import * as z from 'zod';
import { DEFAULT_OVERLAP_SECONDS, MAX_OVERLAP_SECONDS, MIN_OVERLAP_SECONDS } from './keys.js';
import { Scope } from './model.js';

export const CreateClientBody = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1).max(4),
});

export const RotateClientBody = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(MIN_OVERLAP_SECONDS)
    .max(MAX_OVERLAP_SECONDS)
    .default(DEFAULT_OVERLAP_SECONDS)
    .meta({
      description:
        'How long the keys the client has now keep working (default 3600; 1 to 604800, 7 days). A key that would ' +
        'stop sooner keeps its earlier end.',
    }),
});
