// Procurement packages (e-Project planning): an OPD groups lines of its approved DPA into packages
// (name, method, planned months, value). A package's value never exceeds the amounts it takes
// from its lines, a line belongs to one package only, and a package above the Pemda's threshold
// (default Rp 100 juta) is marked for e-procurement. The contract (value ≤ package value, date,
// supplier) and its payment stages (termin, percentages summing to 100, exact rupiah) are
// recorded; realisation rows may name their package. Packages are published as OCDS 1.1 releases.
import { sql } from 'kysely';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { can, requirePermission } from '../../core/auth/policy.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { parseRupiah } from '../../core/money.ts';
import type { Principal } from '../../core/roles.ts';
import type { Pemda } from '../../core/tenancy.ts';
import { approvedDpas, dpaLines } from '../budgeting/index.ts';
import { listOpds } from '../master-data/index.ts';
import { settings } from './monitor.service.ts';
import type { PackageMethod } from './controlling.tables.ts';
import './controlling.tables.ts';

export const METHODS = ['tender', 'e_purchasing', 'direct', 'swakelola'] as const satisfies readonly PackageMethod[];

const rule = (field: string, key: string, params: Record<string, string | number> = {}) =>
  new AppError(422, 'rule', key, params, [{ field, message: key, params }]);
const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const r = parseRupiah(v);
  if (r === null || r <= 0n) {
    ctx.addIssue({ code: 'custom', message: 'ctl.error.amount' });
    return z.NEVER;
  }
  return r;
});

export const packageSchema = z.object({
  year: intIn(z.number().int().min(2000).max(2100)),
  opd_id: intIn(z.number().int().positive()),
  name: z.string().trim().min(3).max(300),
  method: z.enum(METHODS),
  planned_start: intIn(z.number().int().min(1).max(12)),
  planned_end: intIn(z.number().int().min(1).max(12)),
  lines: z
    .array(z.object({ line_id: z.string().regex(/^\d{1,18}$/), amount: money.optional() }))
    .min(1)
    .max(500),
  value: money.optional(),
});

export const contractSchema = z.object({
  contract_value: money,
  contract_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  supplier: z.string().trim().min(2).max(300),
  terms: z
    .array(
      z.object({ percent: intIn(z.number().int().min(1).max(100)), condition: z.string().trim().max(300).default('') }),
    )
    .min(1)
    .max(24),
});

export interface PackageOut {
  id: number;
  year: number;
  opd_id: number;
  name: string;
  method: PackageMethod;
  planned_start: number;
  planned_end: number;
  value: string;
  e_procurement: boolean;
  contract_value: string | null;
  contract_date: string | null;
  supplier: string | null;
  lines: Array<{ line_id: string; amount: string; sub_kegiatan_code: string; account_code: string; name: string }>;
  terms: Array<{ seq: number; percent: number; amount: string; condition: string }>;
  realised: string;
}

/** Split an amount by percentages into exact rupiah (the remainder goes to the last stage). */
export function splitTerms(total: bigint, percents: number[]): bigint[] {
  const out = percents.map((p) => (total * BigInt(p)) / 100n);
  out[out.length - 1]! += total - out.reduce((s, x) => s + x, 0n);
  return out;
}

export async function createPackage(
  db: Db,
  actor: Principal,
  input: z.input<typeof packageSchema>,
): Promise<PackageOut> {
  const v = packageSchema.parse(input);
  requirePermission(actor, 'ctl.package.write', { opdId: v.opd_id });
  if (v.planned_end < v.planned_start) throw rule('planned_end', 'ctl.error.package_months');
  const dpaLine = new Map((await dpaLines(db, actor.pemdaId, v.year, v.opd_id)).map((l) => [l.id, l]));
  if (!dpaLine.size) throw rule('opd_id', 'ctl.error.no_dpa_year', { year: v.year });
  const taken: Array<{ line_id: string; amount: bigint }> = [];
  const seen = new Set<string>();
  for (const [i, l] of v.lines.entries()) {
    const line = dpaLine.get(l.line_id);
    if (!line || seen.has(l.line_id)) throw rule(`lines.${i}.line_id`, 'ctl.error.package_line', { line: l.line_id });
    seen.add(l.line_id);
    const amount = l.amount ?? BigInt(line.total);
    if (amount > BigInt(line.total))
      throw rule(`lines.${i}.amount`, 'ctl.error.package_line_amount', { line: l.line_id });
    taken.push({ line_id: l.line_id, amount });
  }
  const sum = taken.reduce((s, x) => s + x.amount, 0n);
  const value = v.value ?? sum;
  if (value > sum) throw rule('value', 'ctl.error.package_value');
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const busy = await trx
      .selectFrom('ctl_package_line')
      .select(['line_id', 'package_id'])
      .where('pemda_id', '=', actor.pemdaId)
      .where(
        'line_id',
        'in',
        taken.map((x) => x.line_id),
      )
      .execute();
    if (busy.length)
      throw rule('lines', 'ctl.error.package_line_taken', {
        line: String(busy[0]!.line_id),
        package: busy[0]!.package_id,
      });
    const pkg = await trx
      .insertInto('ctl_package')
      .values({
        pemda_id: actor.pemdaId,
        year: v.year,
        opd_id: v.opd_id,
        name: v.name,
        method: v.method,
        planned_start: v.planned_start,
        planned_end: v.planned_end,
        value: value.toString(),
        created_by: actor.username,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('ctl_package_line')
      .values(
        taken.map((x) => ({
          pemda_id: actor.pemdaId,
          package_id: pkg.id,
          line_id: x.line_id,
          amount: x.amount.toString(),
        })),
      )
      .execute();
    uow.audit({
      action: 'create',
      entity: 'ctl_package',
      entityId: pkg.id,
      opdId: v.opd_id,
      after: {
        ...v,
        value: value.toString(),
        lines: taken.map((x) => ({ line_id: x.line_id, amount: x.amount.toString() })),
      },
    });
    return (await getPackages(trx as unknown as Db, actor.pemdaId, { ids: [pkg.id] }))[0]!;
  });
}

/** Record the contract of a package and its payment stages (termin). */
export async function setContract(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof contractSchema>,
): Promise<PackageOut> {
  const v = contractSchema.parse(input);
  const head = (await getPackages(db, actor.pemdaId, { ids: [id] }))[0];
  if (!head) throw notFound();
  requirePermission(actor, 'ctl.package.write', { opdId: head.opd_id });
  if (v.terms.reduce((s, x) => s + x.percent, 0) !== 100) throw rule('terms', 'ctl.error.terms_sum');
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const pkg = await trx
      .selectFrom('ctl_package')
      .selectAll()
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (v.contract_value > BigInt(pkg.value)) throw rule('contract_value', 'ctl.error.contract_value');
    await trx
      .updateTable('ctl_package')
      .set({
        contract_value: v.contract_value.toString(),
        contract_date: v.contract_date,
        supplier: v.supplier,
        version: pkg.version + 1,
        updated_at: new Date(),
      })
      .where('pemda_id', '=', actor.pemdaId)
      .where('id', '=', id)
      .execute();
    await trx
      .deleteFrom('ctl_package_term')
      .where('pemda_id', '=', actor.pemdaId)
      .where('package_id', '=', id)
      .execute();
    const amounts = splitTerms(
      v.contract_value,
      v.terms.map((x) => x.percent),
    );
    await trx
      .insertInto('ctl_package_term')
      .values(
        v.terms.map((x, i) => ({
          pemda_id: actor.pemdaId,
          package_id: id,
          seq: i + 1,
          percent: x.percent,
          amount: amounts[i]!.toString(),
          condition: x.condition,
        })),
      )
      .execute();
    uow.audit({
      action: 'contract',
      entity: 'ctl_package',
      entityId: id,
      opdId: pkg.opd_id,
      before: { contract_value: pkg.contract_value, supplier: pkg.supplier },
      after: { ...v, contract_value: v.contract_value.toString() },
    });
    return (await getPackages(trx as unknown as Db, actor.pemdaId, { ids: [id] }))[0]!;
  });
}

/** Packages with their lines, terms and realisation (aggregated in SQL). */
export async function getPackages(
  db: Db,
  pemdaId: number,
  f: { ids?: number[]; year?: number; opdId?: number },
): Promise<PackageOut[]> {
  const threshold = BigInt((await settings(db, pemdaId)).eproc_threshold);
  const conds = [sql`p.pemda_id = ${pemdaId}`];
  if (f.ids) conds.push(f.ids.length ? sql`p.id IN (${sql.join(f.ids)})` : sql`false`);
  if (f.year) conds.push(sql`p.year = ${f.year}`);
  if (f.opdId) conds.push(sql`p.opd_id = ${f.opdId}`);
  const r = await sql<Record<string, unknown>>`
    SELECT p.*, to_char(p.contract_date, 'YYYY-MM-DD') AS contract_day,
           (SELECT coalesce(sum(amount), 0)::text FROM ctl_realisation x WHERE x.pemda_id = p.pemda_id AND x.package_id = p.id) AS realised,
           (SELECT coalesce(json_agg(json_build_object('line_id', pl.line_id::text, 'amount', pl.amount::text) ORDER BY pl.line_id), '[]')
              FROM ctl_package_line pl WHERE pl.pemda_id = p.pemda_id AND pl.package_id = p.id) AS lines,
           (SELECT coalesce(json_agg(json_build_object('seq', t.seq, 'percent', t.percent, 'amount', t.amount::text, 'condition', t.condition) ORDER BY t.seq), '[]')
              FROM ctl_package_term t WHERE t.pemda_id = p.pemda_id AND t.package_id = p.id) AS terms
      FROM ctl_package p WHERE ${sql.join(conds, sql` AND `)} ORDER BY p.opd_id, p.id`.execute(db);
  const lineInfo = new Map<string, { sub_kegiatan_code: string; account_code: string; name: string }>();
  for (const key of new Set(r.rows.map((p) => `${p.year}|${p.opd_id}`))) {
    const [y, o] = key.split('|').map(Number) as [number, number];
    for (const l of await dpaLines(db, pemdaId, y, o))
      lineInfo.set(l.id, { sub_kegiatan_code: l.sub_kegiatan_code ?? '', account_code: l.account_code, name: l.name });
  }
  const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  return r.rows.map((p) => ({
    id: Number(p.id),
    year: Number(p.year),
    opd_id: Number(p.opd_id),
    name: String(p.name),
    method: p.method as PackageMethod,
    planned_start: Number(p.planned_start),
    planned_end: Number(p.planned_end),
    value: String(p.value),
    e_procurement: BigInt(String(p.value)) > threshold,
    contract_value: p.contract_value === null ? null : String(p.contract_value),
    contract_date: (p.contract_day as string | null) ?? null,
    supplier: (p.supplier as string | null) ?? null,
    lines: parse<Array<{ line_id: string; amount: string }>>(p.lines).map((l) => ({
      ...l,
      ...(lineInfo.get(l.line_id) ?? { sub_kegiatan_code: '', account_code: '', name: '' }),
    })),
    terms: parse<PackageOut['terms']>(p.terms),
    realised: String(p.realised),
  }));
}

export async function listPackages(
  db: Db,
  actor: Principal,
  f: { year: number; opdId?: number },
): Promise<PackageOut[]> {
  requirePermission(actor, 'ctl.read', f.opdId !== undefined ? { opdId: f.opdId } : undefined);
  const opdId = can(actor, 'ctl.read', { opdId: -1 }) ? f.opdId : (actor.opdId ?? -1);
  return getPackages(db, actor.pemdaId, { year: f.year, opdId });
}

// ---- OCDS 1.1 ------------------------------------------------------------------------------------------
const OCDS_METHOD: Record<PackageMethod, { method: string; details: string }> = {
  tender: { method: 'open', details: 'Tender' },
  e_purchasing: { method: 'limited', details: 'E-purchasing (katalog elektronik)' },
  direct: { method: 'direct', details: 'Pengadaan langsung' },
  swakelola: { method: 'direct', details: 'Swakelola' },
};

/** Every package of a year as an OCDS 1.1 release package; planning.budget.id names the DPA line(s). */
export async function ocdsReleasePackage(db: Db, pemda: Pemda, year: number, baseUri: string) {
  const pkgs = await getPackages(db, pemda.id, { year });
  const dpas = new Map((await approvedDpas(db, pemda.id, year)).map((d) => [d.opd_id, d]));
  const opds = new Map((await listOpds(db, pemda.id)).map((o) => [o.id, o]));
  const prefix = `ocds-padu-${pemda.code.replace(/\D/g, '')}`;
  const now = new Date().toISOString();
  const idr = (v: string) => ({ amount: Number(v), currency: 'IDR' });
  const paid = await sql<{ package_id: number; sp2d_number: string; day: string; amount: string }>`
    SELECT package_id, sp2d_number, to_char(sp2d_date, 'YYYY-MM-DD') AS day, sum(amount)::text AS amount FROM ctl_realisation
     WHERE pemda_id = ${pemda.id} AND year = ${year} AND package_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 3, 2`.execute(
    db,
  );
  const releases = pkgs.map((p) => {
    const opd = opds.get(p.opd_id);
    const buyer = { id: opd?.code ?? String(p.opd_id), name: opd?.name ?? String(p.opd_id) };
    const ocid = `${prefix}-${year}-${p.id}`;
    const dpa = dpas.get(p.opd_id);
    const hasContract = p.contract_value !== null;
    const supplier = p.supplier ? { id: `${ocid}-supplier`, name: p.supplier } : null;
    return {
      ocid,
      id: `${ocid}-${hasContract ? 'contract' : 'planning'}`,
      date: now,
      tag: hasContract ? ['planning', 'tender', 'award', 'contract'] : ['planning'],
      initiationType: 'tender',
      language: 'id',
      parties: [
        { id: buyer.id, name: buyer.name, roles: ['buyer', 'procuringEntity'] },
        ...(supplier ? [{ id: supplier.id, name: supplier.name, roles: ['supplier'] }] : []),
      ],
      buyer,
      planning: {
        budget: {
          id: p.lines.map((l) => l.line_id).join('+'),
          description:
            `${dpa?.number ?? ''} · ${p.lines.map((l) => `${l.sub_kegiatan_code} ${l.account_code} ${l.name}`).join('; ')}`.slice(
              0,
              2000,
            ),
          amount: idr(p.lines.reduce((s, l) => s + BigInt(l.amount), 0n).toString()),
          project: p.name,
        },
      },
      tender: {
        id: `${ocid}-tender`,
        title: p.name,
        status: hasContract ? 'complete' : 'planned',
        procurementMethod: OCDS_METHOD[p.method].method,
        procurementMethodDetails: OCDS_METHOD[p.method].details,
        mainProcurementCategory: p.method === 'swakelola' ? 'services' : 'goods',
        value: idr(p.value),
        procuringEntity: buyer,
        tenderPeriod: {
          startDate: `${year}-${String(p.planned_start).padStart(2, '0')}-01T00:00:00Z`,
          endDate: new Date(Date.UTC(year, p.planned_end, 0, 23, 59, 59)).toISOString(),
        },
      },
      ...(hasContract
        ? {
            awards: [
              {
                id: `${ocid}-award`,
                status: 'active',
                value: idr(p.contract_value!),
                suppliers: supplier ? [supplier] : [],
                date: `${p.contract_date}T00:00:00Z`,
              },
            ],
            contracts: [
              {
                id: `${ocid}-contract`,
                awardID: `${ocid}-award`,
                status: 'active',
                value: idr(p.contract_value!),
                dateSigned: `${p.contract_date}T00:00:00Z`,
                milestones: p.terms.map((t) => ({
                  id: `${ocid}-termin-${t.seq}`,
                  title: `Termin ${t.seq} (${t.percent}%)`,
                  type: 'financing',
                  description: t.condition || undefined,
                  value: idr(t.amount),
                })),
                implementation: {
                  transactions: paid.rows
                    .filter((x) => Number(x.package_id) === p.id)
                    .map((x) => ({
                      id: x.sp2d_number,
                      source: `${baseUri}/portal/jejak/sp2d/${encodeURIComponent(x.sp2d_number)}`,
                      date: `${x.day}T00:00:00Z`,
                      value: idr(x.amount),
                      payer: buyer,
                      payee: supplier ?? undefined,
                    })),
                },
              },
            ],
          }
        : {}),
    };
  });
  return {
    uri: `${baseUri}/portal/data/${year}/ocds.json`,
    version: '1.1',
    publishedDate: now,
    publisher: { name: pemda.name },
    license: 'http://opendatacommons.org/licenses/pddl/1.0/',
    publicationPolicy: `${baseUri}/portal`,
    releases,
  };
}
