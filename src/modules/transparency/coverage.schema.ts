// zod schemas of the internal transparency pages (coverage report, internal trace).
import { z } from 'zod';
import { intIn } from '../../core/number.ts';

export const coverageQuery = z.object({ year: intIn(z.number().int().min(2000).max(2100)).optional() });
export const lineParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
export const sp2dParams = z.object({ number: z.string().min(1).max(100) });
export const proposalParams = z.object({ code: z.string().min(1).max(40) });
