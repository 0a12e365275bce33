// Ranked risk signals for TAPD and Inspektorat: the rules over a stage's lines (budgeting's
// riskCandidates) plus prices above a similar catalogue item for free-text lines, each with its
// rule code, a reason in words, the amount at risk and a link to the line; ranked by amount at risk
// weighted by rule. A signal can be marked reviewed with a note (audited). Inspektorat keeps the
// keyword list. "At the catalogue ceiling" is reported as a statistic.
import { sql } from 'kysely';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate } from '../../core/audit/audit.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { ceilingStatistic, getStage, riskCandidates, type RiskCandidate } from '../budgeting/index.ts';
import { searchCatalogue } from '../catalogue/index.ts';
import { settings } from './monitor.service.ts';
import './controlling.tables.ts';

export type SignalRule = RiskCandidate['rule'] | 'ABOVE_CATALOGUE';

/** How much a rupiah at risk weighs per rule (ranking). */
export const RULE_WEIGHT: Record<SignalRule, number> = {
  OUT_OF_PROPORTION: 5,
  KEYWORD: 4,
  SPLIT: 4,
  ABOVE_CATALOGUE: 3,
  DUP_WITHIN: 3,
  DUP_ACROSS: 3,
  VOLUME_JUMP: 3,
  OUT_OF_PATTERN: 2,
  FREE_TEXT: 1,
};

export const DEFAULT_KEYWORDS = [
  'bingkisan',
  'parsel',
  'cinderamata',
  'souvenir',
  'hiburan',
  'karaoke',
  'jamuan pejabat',
];

export interface Signal extends Omit<RiskCandidate, 'rule'> {
  rule: SignalRule;
  score: string;
  reviewed: { note: string; by: string; at: Date } | null;
}

export async function keywords(db: Db, pemdaId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ctl_risk_keyword')
    .select('word')
    .where('pemda_id', '=', pemdaId)
    .orderBy('word')
    .execute();
  return rows.map((r) => r.word);
}

/** Free-text lines priced above a catalogue item of (nearly) the same name. */
type Cand = Omit<RiskCandidate, 'rule'> & { rule: SignalRule };

async function aboveCatalogue(db: Db, pemdaId: number, year: number, free: RiskCandidate[]): Promise<Cand[]> {
  const out: Cand[] = [];
  for (const l of free.slice(0, 300)) {
    const { rows } = await searchCatalogue(db, pemdaId, { year, text: l.name, limit: 1 });
    const item = rows[0];
    if (!item || BigInt(item.price) <= 0n || BigInt(item.price) >= BigInt(l.unit_price)) continue;
    if (item.name.toLowerCase().split(/\s+/)[0] !== l.name.toLowerCase().split(/\s+/)[0]) continue; // same head word
    const over = BigInt(l.unit_price) - BigInt(item.price);
    const vol = Number(l.volume) || 1;
    out.push({
      ...l,
      rule: 'ABOVE_CATALOGUE',
      amount: ((over * BigInt(Math.round(vol * 10000))) / 10000n).toString(),
      info: { item: `${item.code} ${item.name}`, price: item.price },
    });
  }
  return out;
}

/** Every signal of a stage, ranked (highest weighted amount at risk first). */
export async function riskSignals(
  db: Db,
  actor: Principal,
  stageId: number,
  f: { opdId?: number; hideReviewed?: boolean } = {},
): Promise<{
  signals: Signal[];
  stats: { lines: number; flagged_lines: number; at_ceiling: number; catalogue: number; free_text: number };
}> {
  requirePermission(actor, 'ctl.risk.read');
  const stage = await getStage(db, actor.pemdaId, stageId);
  if (!stage) throw notFound();
  const cfg = await settings(db, actor.pemdaId);
  const words = await keywords(db, actor.pemdaId);
  const cands = await riskCandidates(db, actor.pemdaId, stageId, {
    threshold: BigInt(cfg.eproc_threshold),
    keywords: words,
  });
  const above = await aboveCatalogue(
    db,
    actor.pemdaId,
    stage.year,
    cands.filter((c) => c.rule === 'FREE_TEXT'),
  );
  const reviews = await db
    .selectFrom('ctl_risk_review')
    .selectAll()
    .where('pemda_id', '=', actor.pemdaId)
    .where('stage_id', '=', stageId)
    .execute();
  const reviewOf = new Map(reviews.map((r) => [`${r.rule}|${r.line_id}`, r]));
  let signals: Signal[] = [...(cands as Cand[]), ...above]
    .filter((c) => !f.opdId || c.opd_id === f.opdId)
    .map((c) => {
      const r = reviewOf.get(`${c.rule}|${c.line_id}`);
      return {
        ...c,
        score: ((BigInt(c.amount) > 0n ? BigInt(c.amount) : 0n) * BigInt(RULE_WEIGHT[c.rule])).toString(),
        reviewed: r ? { note: r.note, by: r.by_name, at: new Date(r.at) } : null,
      };
    });
  if (f.hideReviewed) signals = signals.filter((s) => !s.reviewed);
  signals.sort((a, b) => {
    const d = BigInt(b.score) - BigInt(a.score);
    return d > 0n ? 1 : d < 0n ? -1 : a.line_id.localeCompare(b.line_id);
  });
  const stat = await ceilingStatistic(db, actor.pemdaId, stageId);
  return {
    signals,
    stats: { ...stat, flagged_lines: new Set([...cands, ...above].map((c) => c.line_id)).size },
  };
}

export const reviewSchema = z.object({
  stage_id: intIn(z.number().int().positive()),
  rule: z.enum(Object.keys(RULE_WEIGHT) as [SignalRule, ...SignalRule[]]),
  line_id: z.string().regex(/^\d{1,18}$/),
  note: z.string().trim().min(1).max(2000),
});

/** Mark a signal reviewed with a note (audited; a second review replaces the note, keeping both in the audit trail). */
export async function markReviewed(db: Db, actor: Principal, input: z.input<typeof reviewSchema>) {
  const v = reviewSchema.parse(input);
  requirePermission(actor, 'ctl.risk.review');
  return mutate(db, actor, async (uow) => {
    const before = await uow.trx
      .selectFrom('ctl_risk_review')
      .selectAll()
      .where('pemda_id', '=', actor.pemdaId)
      .where('stage_id', '=', v.stage_id)
      .where('rule', '=', v.rule)
      .where('line_id', '=', v.line_id)
      .forUpdate()
      .executeTakeFirst();
    await uow.trx
      .insertInto('ctl_risk_review')
      .values({
        pemda_id: actor.pemdaId,
        stage_id: v.stage_id,
        rule: v.rule,
        line_id: v.line_id,
        note: v.note,
        by_name: actor.username,
      })
      .onConflict((oc) =>
        oc
          .columns(['pemda_id', 'stage_id', 'rule', 'line_id'])
          .doUpdateSet({ note: v.note, by_name: actor.username, at: new Date() }),
      )
      .execute();
    uow.audit({
      action: 'review',
      entity: 'ctl_risk_review',
      entityId: `${v.stage_id}/${v.rule}/${v.line_id}`,
      before: before ?? null,
      after: v,
    });
    return v;
  });
}

/** Replace Inspektorat's keyword list (audited). */
export async function setKeywords(db: Db, actor: Principal, words: string[]): Promise<string[]> {
  requirePermission(actor, 'ctl.settings.write');
  const clean = [
    ...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w.length >= 2 && w.length <= 60)),
  ].slice(0, 500);
  return mutate(db, actor, async (uow) => {
    const before = await keywords(uow.trx as unknown as Db, actor.pemdaId);
    await uow.trx.deleteFrom('ctl_risk_keyword').where('pemda_id', '=', actor.pemdaId).execute();
    if (clean.length)
      await uow.trx
        .insertInto('ctl_risk_keyword')
        .values(clean.map((word) => ({ pemda_id: actor.pemdaId, word })))
        .execute();
    uow.audit({ action: 'keywords', entity: 'ctl_risk_keyword', entityId: actor.pemdaId, before, after: clean });
    return clean;
  });
}

/** Seed the default keyword list once. */
export async function seedKeywords(db: Db, pemdaId: number): Promise<void> {
  await sql`INSERT INTO ctl_risk_keyword (pemda_id, word) SELECT ${pemdaId}, w FROM unnest(${DEFAULT_KEYWORDS}::text[]) w ON CONFLICT DO NOTHING`.execute(
    db,
  );
}
