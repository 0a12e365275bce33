// The coverage report of the trace (hulu ke hilir): which share of the money of the approved DPA of a
// year traces up to an item of the approved Renja and, through the Renstra, to an RPJMD goal — and
// which does not, and why. The DPA money is summed in SQL (budgeting: per OPD, sub kegiatan and
// account); the plan links are resolved in SQL (planning: per Renja item); here the two meet per
// OPD and sub kegiatan and are added up in exact bigint rupiah.
import type { Db } from '../../core/db/database.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type { Principal } from '../../core/roles.ts';
import { dpaBudgets } from '../budgeting/index.ts';
import { renjaItemLinks } from '../planning/index.ts';
import { listOpds } from '../master-data/index.ts';

/** 'traced' up to an RPJMD goal, or why not. */
export const COVERAGE_REASONS = ['traced', 'no_renja', 'no_renstra', 'no_rpjmd'] as const;
export type CoverageReason = (typeof COVERAGE_REASONS)[number];

export type Amounts = Record<CoverageReason, bigint>;

export interface CoverageSub {
  opd_id: number;
  sub_kegiatan_code: string;
  sub_kegiatan_name: string;
  reason: CoverageReason;
  renja_item_id: number | null;
  dpa: bigint;
}

export interface CoverageOpd {
  opd_id: number;
  opd_code: string;
  opd_name: string;
  dpa: bigint;
  amounts: Amounts;
  subs: Record<CoverageReason, number>;
}

export interface Coverage {
  year: number;
  opds: CoverageOpd[];
  total: { dpa: bigint; amounts: Amounts; subs: Record<CoverageReason, number> };
  subs: CoverageSub[];
}

const zero = (): Amounts => ({ traced: 0n, no_renja: 0n, no_renstra: 0n, no_rpjmd: 0n });
const none = (): Record<CoverageReason, number> => ({ traced: 0, no_renja: 0, no_renstra: 0, no_rpjmd: 0 });

/** Share of `part` in `whole` in percent with one decimal, computed on integers (no float money). */
export function share(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0.0';
  const tenths = (part * 1000n + whole / 2n) / whole;
  return `${tenths / 10n}.${tenths % 10n}`;
}

export async function coverage(db: Db, actor: Principal, year: number): Promise<Coverage> {
  requirePermission(actor, 'tp.coverage.read');
  const pemdaId = actor.pemdaId;
  const [budgets, links, opds] = await Promise.all([
    dpaBudgets(db, pemdaId, year),
    renjaItemLinks(db, pemdaId, year),
    listOpds(db, pemdaId),
  ]);
  const link = new Map(links.map((l) => [`${l.opdId}|${l.subKegiatanCode}`, l]));
  const subs = new Map<string, CoverageSub>();
  for (const b of budgets) {
    const k = `${b.opd_id}|${b.sub_kegiatan_code}`;
    let s = subs.get(k);
    if (!s) {
      const l = link.get(k);
      s = {
        opd_id: b.opd_id,
        sub_kegiatan_code: b.sub_kegiatan_code,
        sub_kegiatan_name: b.sub_kegiatan_name,
        reason: l ? l.link : 'no_renja',
        renja_item_id: l?.renjaItemId ?? null,
        dpa: 0n,
      };
      subs.set(k, s);
    }
    s.dpa += BigInt(b.budget);
  }
  const byId = new Map(opds.map((o) => [o.id, o]));
  const perOpd = new Map<number, CoverageOpd>();
  const total = { dpa: 0n, amounts: zero(), subs: none() };
  for (const s of subs.values()) {
    let o = perOpd.get(s.opd_id);
    if (!o) {
      const org = byId.get(s.opd_id);
      o = {
        opd_id: s.opd_id,
        opd_code: org?.code ?? '',
        opd_name: org?.name ?? String(s.opd_id),
        dpa: 0n,
        amounts: zero(),
        subs: none(),
      };
      perOpd.set(s.opd_id, o);
    }
    o.dpa += s.dpa;
    o.amounts[s.reason] += s.dpa;
    o.subs[s.reason]++;
    total.dpa += s.dpa;
    total.amounts[s.reason] += s.dpa;
    total.subs[s.reason]++;
  }
  return {
    year,
    opds: [...perOpd.values()].sort((a, b) => a.opd_code.localeCompare(b.opd_code) || a.opd_id - b.opd_id),
    total,
    subs: [...subs.values()].sort(
      (a, b) => a.opd_id - b.opd_id || a.sub_kegiatan_code.localeCompare(b.sub_kegiatan_code),
    ),
  };
}
