// Input and output shapes of the platform API (creating Pemda on a deployment).
import { z } from 'zod';
import { pemdaInput } from '../../core/tenancy.ts';

export const pemdaCreateSchema = pemdaInput.extend({
  /** The first administrator of the new Pemda (optional: `padu user add --pemda CODE` later). */
  admin: z
    .object({
      username: z.string().trim().min(2).max(64),
      password: z.string().min(8).max(200),
      full_name: z.string().trim().min(2).max(200),
    })
    .optional(),
});

export const pemdaOut = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['kabupaten', 'kota', 'provinsi']),
  province: z.string(),
  active: z.boolean(),
});
