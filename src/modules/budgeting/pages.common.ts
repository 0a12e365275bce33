// Small helpers shared by the budgeting pages.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatNumber } from '../../core/i18n/i18n.ts';

export type FormBody = Record<string, string | string[] | undefined>;
export const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** A form field as a trimmed string ('' when absent; the last value when repeated). */
export const str = (b: FormBody, k: string): string => {
  const v = b[k];
  return (Array.isArray(v) ? v[v.length - 1] : v)?.trim() ?? '';
};

/** "Rp 1.234.567" in the request's language. */
export const money = (req: FastifyRequest, v: string | bigint | number) => `Rp ${formatNumber(req.lang, BigInt(v))}`;
