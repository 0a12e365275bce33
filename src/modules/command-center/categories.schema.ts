// Input of the category table (category → responding OPD, default priority, targets).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';

const minutes = (max: number) => intIn(z.number().int().min(1).max(max));

export const categoryIdParam = z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) });

/** A category's editable fields (its code is its identity and stays). */
export const categoryIn = z
  .object({
    name_id: z.string().trim().min(2).max(100),
    name_en: z.string().trim().min(2).max(100),
    priority: intIn(z.number().int().min(1).max(4)),
    dispatch_min: minutes(24 * 60),
    arrive_min: minutes(7 * 24 * 60),
    resolve_min: minutes(90 * 24 * 60),
    external: z.string().trim().max(200).default(''),
    public: z.boolean().default(false),
    active: z.boolean().default(true),
    opd_ids: z
      .array(intIn(z.number().int().positive().max(2_147_483_647)))
      .max(20)
      .default([]),
  })
  .superRefine((v, ctx) => {
    // the targets are counted from the report: on scene cannot come before dispatch, nor resolved before on scene
    if (v.arrive_min < v.dispatch_min)
      ctx.addIssue({ code: 'custom', path: ['arrive_min'], message: 'cc.error.target_order' });
    if (v.resolve_min < v.arrive_min)
      ctx.addIssue({ code: 'custom', path: ['resolve_min'], message: 'cc.error.target_order' });
    if (new Set(v.opd_ids).size !== v.opd_ids.length)
      ctx.addIssue({ code: 'custom', path: ['opd_ids'], message: 'cc.error.opd_twice' });
  });
export type CategoryIn = z.input<typeof categoryIn>;
