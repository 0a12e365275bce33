// Pricing a line: the account, the catalogue item and its price cap, the factors, the amounts.
import type { Db } from '../../core/db/database.ts';
import { parseDecimal } from '../../core/money.ts';
import { getAccount, isLeafAccount } from '../master-data/index.ts';
import { getCurrentPrice, type PricedItem } from '../catalogue/index.ts';
import { computeAmounts, normDecimal, parseFactors, type Factor } from './calc.ts';
import { ruleError } from './errors.ts';
import type { LineKind } from './budgeting.tables.ts';
import type { Settings } from './settings.service.ts';
import { rp, type Handle, type Line } from './rka.common.ts';
import type { LineInput, PricedLine } from './lines.schema.ts';

const ACCOUNT_CLASS: Record<LineKind, string> = { belanja: '5', pendapatan: '4', pembiayaan: '6' };

/** What pricing a line reads: the account of the year's chart and the catalogue item's current price. */
export interface PriceLookups {
  account: { active: boolean } | undefined;
  item: PricedItem | undefined;
}

/**
 * Price a line: a leaf account of the year's chart of the right class; a catalogue item whose
 * accounts include it and whose price caps the unit price (or, where the Pemda allows it, a
 * free-text item, flagged); exact factors; the amounts by the one rounding rule (calc.ts).
 */
export async function priceLine(
  db: Handle,
  pemdaId: number,
  year: number,
  settings: Settings,
  kind: LineKind,
  v: LineInput,
): Promise<PricedLine> {
  const code = checkAccountCode(kind, v.account_code);
  const account = await getAccount(db as Db, pemdaId, year, code);
  const item = v.item_id && kind === 'belanja' ? await getCurrentPrice(db, pemdaId, v.item_id) : undefined;
  return priceWith({ account, item }, year, settings, kind, v);
}

/** The account code as written, refused when it is not a leaf of the line kind's class. */
function checkAccountCode(kind: LineKind, accountCode: string): string {
  const code = accountCode.trim();
  if (!isLeafAccount(code)) throw ruleError('account_code', 'bud.error.account_not_leaf', { code });
  if (!code.startsWith(`${ACCOUNT_CLASS[kind]}.`))
    throw ruleError('account_code', `bud.error.account_class_${kind}`, { code });
  return code;
}

/** {@link priceLine} on lookups already read (the line save reads them with its sub kegiatan). */
export function priceWith(
  lookups: PriceLookups,
  year: number,
  settings: Settings,
  kind: LineKind,
  v: LineInput,
): PricedLine {
  const code = checkAccountCode(kind, v.account_code);
  const account = lookups.account;
  if (!account || !account.active) throw ruleError('account_code', 'bud.error.account_unknown', { code, year });
  const factors = parseFactors(v.factors);
  if (!factors.ok) throw ruleError(`factors.${factors.index}.v`, 'bud.error.factor_format');
  let item: { id: number; version: number; kind: string; code: string; price: bigint } | null = null;
  let name = v.name?.trim() ?? '';
  let spec = v.spec?.trim() ?? '';
  let unit = v.unit?.trim() ?? '';
  let unitPrice: bigint | null = v.unit_price === undefined ? null : BigInt(v.unit_price);
  if (v.item_id) {
    if (kind !== 'belanja') throw ruleError('item_id', 'bud.error.item_not_for_kind');
    const it = lookups.item;
    if (!it || it.year !== year) throw ruleError('item_id', 'bud.error.item_unknown', { year });
    if (!it.accounts.includes(code)) {
      throw ruleError(
        'account_code',
        'bud.error.account_not_allowed',
        { code, item: `${it.code} ${it.name}`, accounts: it.accounts.join(', ') },
        { allowed: it.accounts },
      );
    }
    const max = BigInt(it.price);
    if (unitPrice === null) unitPrice = max;
    if (unitPrice > max)
      throw ruleError('unit_price', 'bud.error.price_above_catalogue', { max: rp(max) }, { max: max.toString() });
    item = { id: it.itemId, version: it.version, kind: it.kind, code: it.code, price: max };
    name = it.name;
    spec = it.spec;
    unit = it.unit;
  } else {
    if (kind === 'belanja' && !settings.allow_free_text) throw ruleError('item_id', 'bud.error.item_required');
    if (!name) throw ruleError('name', 'bud.error.name_required');
    if (unitPrice === null) throw ruleError('unit_price', 'bud.error.price_required');
    if (!unit) unit = v.factors[0]!.u;
  }
  const taxRate = kind === 'belanja' && v.tax ? settings.ppn_rate : '0';
  const amounts = computeAmounts(unitPrice, factors.scaled, parseDecimal(taxRate)!);
  const f = v.factors.map((x) => ({ v: normDecimal(x.v.replace(',', '.'))!, u: x.u.trim() }));
  return {
    account_code: code,
    group_header: v.group_header?.trim() ?? '',
    description_header: v.description_header?.trim() ?? '',
    item_id: item?.id ?? null,
    item_version: item?.version ?? null,
    item_kind: item?.kind ?? null,
    item_code: item?.code ?? null,
    name,
    spec,
    unit,
    catalogue_price: item ? item.price.toString() : null,
    unit_price: unitPrice.toString(),
    v1: f[0]!.v,
    u1: f[0]!.u,
    v2: f[1]?.v ?? null,
    u2: f[1]?.u ?? null,
    v3: f[2]?.v ?? null,
    u3: f[2]?.u ?? null,
    v4: f[3]?.v ?? null,
    u4: f[3]?.u ?? null,
    subtotal: amounts.subtotal.toString(),
    tax_rate: taxRate,
    tax: amounts.tax.toString(),
    total: amounts.total.toString(),
    free_text: kind === 'belanja' && !item,
    funding_source_id: v.funding_source_id ?? null,
  };
}

export function factorsOf(l: Pick<Line, 'v1' | 'u1' | 'v2' | 'u2' | 'v3' | 'u3' | 'v4' | 'u4'>): Factor[] {
  const out: Factor[] = [{ v: normDecimal(l.v1)!, u: l.u1 }];
  if (l.v2 !== null && l.u2 !== null) out.push({ v: normDecimal(l.v2)!, u: l.u2 });
  if (l.v3 !== null && l.u3 !== null) out.push({ v: normDecimal(l.v3)!, u: l.u3 });
  if (l.v4 !== null && l.u4 !== null) out.push({ v: normDecimal(l.v4)!, u: l.u4 });
  return out;
}
