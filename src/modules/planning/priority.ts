// The priority score of an accepted proposal (docs/planning.md): six criteria, each scored 0–5,
// weighted by the Pemda's adjustable weights, on a 0–100 scale with two decimals, rounded half up
// once. Pure functions; the weights live in pln_priority_weight.
import { roundDiv } from '../../core/money.ts';
import type { Q } from './common.ts';

export const CRITERIA = ['urgency', 'beneficiaries', 'alignment', 'readiness', 'cost', 'carry_over'] as const;
export type Criterion = (typeof CRITERIA)[number];
export type Weights = Record<Criterion, number>;

export const DEFAULT_WEIGHTS: Weights = {
  urgency: 30,
  beneficiaries: 25,
  alignment: 20,
  readiness: 10,
  cost: 10,
  carry_over: 5,
};

export interface ScoreInput {
  /** Forum assessment 1–5 (3 when not given). */
  urgency: number | null;
  beneficiaries: number | null;
  /** 5: the sub kegiatan is in the OPD's Renstra; 3: its program is; 1: mapped only; 0: not mapped. */
  alignment: 0 | 1 | 3 | 5;
  hasAddress: boolean;
  hasCoordinates: boolean;
  hasPhoto: boolean;
  /** The amount the last forum recommended (else the estimated cost), integer rupiah. */
  amount: bigint;
  carriedOver: boolean;
}

export function criterionScores(s: ScoreInput): Record<Criterion, number> {
  const b = s.beneficiaries ?? 0;
  const beneficiaries = b <= 0 ? 0 : b < 50 ? 1 : b < 200 ? 2 : b < 500 ? 3 : b < 2000 ? 4 : 5;
  const readiness = Math.min(5, (s.hasAddress ? 1 : 0) + (s.hasCoordinates ? 2 : 0) + (s.hasPhoto ? 2 : 0));
  let cost = 1;
  if (b > 0) {
    const per = s.amount / BigInt(b);
    cost = per <= 100_000n ? 5 : per <= 500_000n ? 4 : per <= 2_000_000n ? 3 : per <= 10_000_000n ? 2 : 1;
  }
  return {
    urgency: Math.min(5, Math.max(1, s.urgency ?? 3)),
    beneficiaries,
    alignment: s.alignment,
    readiness,
    cost,
    carry_over: s.carriedOver ? 5 : 0,
  };
}

/** Σ weight × score ÷ (5 × Σ weight) × 100, as a decimal string with two digits ("73.50"). */
export function priorityScore(s: ScoreInput, w: Weights): string {
  const scores = criterionScores(s);
  let num = 0n;
  let den = 0n;
  for (const c of CRITERIA) {
    num += BigInt(w[c]) * BigInt(scores[c]);
    den += BigInt(w[c]) * 5n;
  }
  if (den === 0n) return '0.00';
  const hundredths = roundDiv(num * 10_000n, den); // percentage × 100
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

export async function loadWeights(db: Q, pemdaId: number): Promise<Weights> {
  const rows = await db
    .selectFrom('pln_priority_weight')
    .select(['criterion', 'weight'])
    .where('pemda_id', '=', pemdaId)
    .execute();
  const w: Weights = { ...DEFAULT_WEIGHTS };
  for (const r of rows)
    if ((CRITERIA as readonly string[]).includes(r.criterion)) w[r.criterion as Criterion] = r.weight;
  return w;
}
