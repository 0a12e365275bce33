// What the RKA files share: row types, the decimal and money input rules, the amount format of messages.
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import type { Trx } from '../../core/audit/audit.ts';
import { formatNumber } from '../../core/i18n/i18n.ts';
import type { LineTable, SubKegiatanTable } from './budgeting.tables.ts';

export type SubKegiatan = Selectable<SubKegiatanTable>;
export type Line = Selectable<LineTable>;
export type Handle = Db | Trx;

/** An amount for a message ("1.234.567"; the messages write "Rp {x}"). */
export const rp = (v: bigint | string) => formatNumber('id', v);

export const DECIMAL_RE = /^\d{1,14}([.,]\d{1,4})?$/;

export const moneySchema = z
  .union([
    z
      .string()
      .trim()
      .regex(/^\d{1,15}$/, 'bud.error.money_format'),
    z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ])
  .transform((v) => BigInt(v));
export const moneyString = z
  .string()
  .trim()
  .regex(/^\d{1,15}$/, 'bud.error.money_format');
