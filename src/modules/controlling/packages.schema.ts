// zod schemas of the procurement-package form.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';

export const packageFormQuery = z.object({ year: intIn(z.number().int().min(2000).max(2100)).optional() });
