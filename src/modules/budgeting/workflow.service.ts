// The verification workflow of the RKA, per sub kegiatan:
//
//   draft ──submit (opd_head)──▶ submitted ──approve (tapd)──▶ approved (locked)
//     ▲                              │                            │
//     └──── returned ◀──return (tapd, notes per line)─┘            │
//              ▲                                                   │
//              └─────────────reopen (tapd)─────────────────────────┘
//
// The OPD operator revises a returned sub kegiatan; its head submits it again. Each transition
// is audited, recorded in bud_review and notified to the people concerned.
import { z } from 'zod';
import type { Db } from '../../core/db/database.ts';
import { mutate, type Trx, type UnitOfWork } from '../../core/audit/audit.ts';
import { notFound } from '../../core/errors.ts';
import type { Principal } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import { audience } from './policy.ts';
import { lockedError, ruleError, staleError } from './errors.ts';
import { notify } from './notifications.service.ts';
import { assertInputOpen, assertStageOpen, lockOpdRow, shareStage, type Stage } from './stages.service.ts';
import { getSub, subOut, type SubKegiatan, type SubOut } from './rka.service.ts';
import type { ReviewAction, SubStatus } from './budgeting.tables.ts';
import { recordSubmission } from './submissions.service.ts';

const TRANSITIONS: Record<ReviewAction, { from: SubStatus[]; to: SubStatus }> = {
  submit: { from: ['draft', 'returned'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  return: { from: ['submitted'], to: 'returned' },
  reopen: { from: ['approved'], to: 'returned' },
};

export const noteSchema = z.object({
  note: z.string().trim().max(2000).optional(),
  version: z.number().int().min(1).optional(),
});
export const returnSchema = z.object({
  note: z.string().trim().min(3, 'bud.error.note_required').max(2000),
  line_notes: z
    .array(z.object({ line_id: z.string().regex(/^\d+$/), note: z.string().trim().min(1).max(2000) }))
    .max(5000)
    .optional(),
  version: z.number().int().min(1).optional(),
});

async function lineCount(trx: Trx, pemdaId: number, subId: number): Promise<number> {
  const r = await trx
    .selectFrom('bud_line')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function transition(
  uow: UnitOfWork,
  stage: Stage,
  sub: SubKegiatan,
  action: ReviewAction,
  note: string | null,
): Promise<SubKegiatan> {
  const trx = uow.trx;
  const t = TRANSITIONS[action];
  if (!t.from.includes(sub.status))
    throw ruleError(
      null,
      'bud.error.bad_transition',
      { action, status: sub.status, code: sub.code },
      { status: sub.status, allowed_from: t.from },
    );
  const now = new Date();
  const after = await trx
    .updateTable('bud_sub_kegiatan')
    .set({
      status: t.to,
      version: sub.version + 1,
      updated_at: now,
      ...(action === 'submit' ? { submitted_at: now } : {}),
      ...(action === 'approve' || action === 'return' ? { reviewed_at: now, review_note: note } : {}),
      ...(action === 'reopen' ? { review_note: note } : {}),
    })
    .where('pemda_id', '=', sub.pemda_id)
    .where('id', '=', sub.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const review = await trx
    .insertInto('bud_review')
    .values({
      pemda_id: sub.pemda_id,
      stage_id: stage.id,
      opd_id: sub.opd_id,
      sub_kegiatan_id: sub.id,
      action,
      from_status: sub.status,
      to_status: t.to,
      note,
      actor_id: uow.actor.userId || null,
      actor_name: uow.actor.username,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // the RKA as submitted: kept because the lines are edited in place after a return
  const submission =
    action === 'submit'
      ? await recordSubmission(trx, {
          pemdaId: sub.pemda_id,
          stageId: stage.id,
          opdId: sub.opd_id,
          subKegiatanId: sub.id,
          reviewId: review.id,
          at: now,
          actorId: uow.actor.userId || null,
          actorName: uow.actor.username,
        })
      : null;
  uow.audit({
    action,
    entity: 'bud_sub_kegiatan',
    entityId: sub.id,
    opdId: sub.opd_id,
    before: { status: sub.status },
    after: { status: t.to, note, review_id: review.id, ...(submission ? { submission: submission.number } : {}) },
  });
  return Object.assign(after, { reviewId: review.id });
}

async function lockedSub(trx: Trx, pemdaId: number, head: SubKegiatan) {
  const stage = await shareStage(trx, pemdaId, head.stage_id);
  const opd = (await lockOpdRow(trx, pemdaId, head.stage_id, head.opd_id))!;
  const sub = await trx
    .selectFrom('bud_sub_kegiatan')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', head.id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { stage, opd, sub };
}

async function requireSub(db: Db, pemdaId: number, id: number): Promise<SubKegiatan> {
  const s = await getSub(db, pemdaId, id);
  if (!s) throw notFound('bud.error.sub_unknown');
  return s;
}

const subLink = (s: SubKegiatan) => `/budget/sub/${s.id}`;

/** The head of the OPD submits one sub kegiatan (with lines) to TAPD. */
export async function submitSub(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof noteSchema> = {},
): Promise<SubOut> {
  const v = noteSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await requireSub(db, pemdaId, id);
  requirePermission(actor, 'bud.submit', { opdId: head.opd_id });
  return mutate(db, actor, async (uow) => {
    const { stage, opd, sub } = await lockedSub(uow.trx, pemdaId, head);
    if (v.version !== undefined && v.version !== sub.version) throw staleError(subOut(sub));
    assertInputOpen(stage, opd);
    if ((await lineCount(uow.trx, pemdaId, id)) === 0) throw ruleError(null, 'bud.error.empty_sub', { code: sub.code });
    const after = await transition(uow, stage, sub, 'submit', v.note ?? null);
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.tapd'),
      opdId: sub.opd_id,
      key: 'bud.notify.submitted',
      params: { code: sub.code, name: sub.name },
      link: subLink(sub),
      stageId: stage.id,
      subKegiatanId: sub.id,
    });
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.operator'),
      opdId: sub.opd_id,
      key: 'bud.notify.submitted',
      params: { code: sub.code, name: sub.name },
      link: subLink(sub),
      stageId: stage.id,
      subKegiatanId: sub.id,
    });
    return subOut(after);
  });
}

/** The head of the OPD submits the whole RKA: every draft or returned sub kegiatan that has lines. */
export async function submitRka(
  db: Db,
  actor: Principal,
  stageId: number,
  opdId: number,
  input: z.input<typeof noteSchema> = {},
): Promise<SubOut[]> {
  requirePermission(actor, 'bud.submit', { opdId: opdId });
  const v = noteSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const stage = await shareStage(trx, pemdaId, stageId);
    const opd = await lockOpdRow(trx, pemdaId, stageId, opdId);
    assertInputOpen(stage, opd);
    const subs = await trx
      .selectFrom('bud_sub_kegiatan as s')
      .selectAll('s')
      .where('s.pemda_id', '=', pemdaId)
      .where('s.stage_id', '=', stageId)
      .where('s.opd_id', '=', opdId)
      .where('s.status', 'in', ['draft', 'returned'])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('bud_line as l')
            .select('l.id')
            .whereRef('l.pemda_id', '=', 's.pemda_id')
            .whereRef('l.sub_kegiatan_id', '=', 's.id'),
        ),
      )
      .orderBy('s.id')
      .forUpdate()
      .execute();
    if (!subs.length) throw ruleError(null, 'bud.error.nothing_to_submit');
    const out: SubOut[] = [];
    for (const s of subs) out.push(subOut(await transition(uow, stage, s, 'submit', v.note ?? null)));
    await notify(trx, actor, {
      roles: audience('bud.notify.tapd', 'bud.notify.operator'),
      opdId,
      key: 'bud.notify.rka_submitted',
      params: { count: subs.length },
      link: `/budget/opd/${opdId}?stage_id=${stageId}`,
      stageId,
    });
    return out;
  });
}

/** TAPD approves a submitted sub kegiatan: it is locked from then on. */
export async function approveSub(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof noteSchema> = {},
): Promise<SubOut> {
  requirePermission(actor, 'bud.verify');
  const v = noteSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await requireSub(db, pemdaId, id);
  return mutate(db, actor, async (uow) => {
    const { stage, sub } = await lockedSub(uow.trx, pemdaId, head);
    assertStageOpen(stage);
    if (v.version !== undefined && v.version !== sub.version) throw staleError(subOut(sub));
    const after = await transition(uow, stage, sub, 'approve', v.note ?? null);
    await uow.trx
      .updateTable('bud_line')
      .set({ review_note: null })
      .where('pemda_id', '=', pemdaId)
      .where('sub_kegiatan_id', '=', id)
      .where('review_note', 'is not', null)
      .execute();
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId: sub.opd_id,
      key: 'bud.notify.approved',
      params: { code: sub.code, name: sub.name },
      link: subLink(sub),
      stageId: stage.id,
      subKegiatanId: sub.id,
    });
    return subOut(after);
  });
}

/** TAPD returns a submitted sub kegiatan to the OPD, with a note and notes per line. */
export async function returnSub(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof returnSchema>,
): Promise<SubOut> {
  requirePermission(actor, 'bud.verify');
  const v = returnSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await requireSub(db, pemdaId, id);
  return mutate(db, actor, async (uow) => {
    const trx = uow.trx;
    const { stage, sub } = await lockedSub(trx, pemdaId, head);
    assertStageOpen(stage);
    if (v.version !== undefined && v.version !== sub.version) throw staleError(subOut(sub));
    const after = (await transition(uow, stage, sub, 'return', v.note)) as SubKegiatan & { reviewId: number };
    await trx
      .updateTable('bud_line')
      .set({ review_note: null })
      .where('pemda_id', '=', pemdaId)
      .where('sub_kegiatan_id', '=', id)
      .where('review_note', 'is not', null)
      .execute();
    const notes = v.line_notes ?? [];
    if (notes.length) {
      const ids = [...new Set(notes.map((n) => n.line_id))];
      const own = await trx
        .selectFrom('bud_line')
        .select('id')
        .where('pemda_id', '=', pemdaId)
        .where('sub_kegiatan_id', '=', id)
        .where('id', 'in', ids)
        .execute();
      const ownSet = new Set(own.map((r) => String(r.id)));
      const stranger = ids.find((x) => !ownSet.has(x));
      if (stranger) throw ruleError('line_notes', 'bud.error.line_not_in_sub', { line: stranger });
      const byLine = new Map(notes.map((n) => [n.line_id, n.note]));
      await trx
        .insertInto('bud_line_note')
        .values([...byLine].map(([line_id, note]) => ({ pemda_id: pemdaId, review_id: after.reviewId, line_id, note })))
        .execute();
      for (const [lineId, note] of byLine) {
        await trx
          .updateTable('bud_line')
          .set({ review_note: note })
          .where('pemda_id', '=', pemdaId)
          .where('id', '=', lineId)
          .execute();
      }
    }
    await notify(trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId: sub.opd_id,
      key: 'bud.notify.returned',
      params: { code: sub.code, name: sub.name, note: v.note, lines: notes.length },
      link: subLink(sub),
      stageId: stage.id,
      subKegiatanId: sub.id,
    });
    return subOut(after);
  });
}

/** TAPD reopens an approved sub kegiatan for revision. */
export async function reopenSub(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof noteSchema>,
): Promise<SubOut> {
  requirePermission(actor, 'bud.verify');
  const v = noteSchema.parse(input);
  const pemdaId = actor.pemdaId;
  const head = await requireSub(db, pemdaId, id);
  return mutate(db, actor, async (uow) => {
    const { stage, sub } = await lockedSub(uow.trx, pemdaId, head);
    assertStageOpen(stage);
    if (stage.kind === 'kua_ppas') throw lockedError('bud.error.kua_ppas_no_rka');
    if (v.version !== undefined && v.version !== sub.version) throw staleError(subOut(sub));
    const after = await transition(uow, stage, sub, 'reopen', v.note ?? null);
    await notify(uow.trx, actor, {
      roles: audience('bud.notify.opd'),
      opdId: sub.opd_id,
      key: 'bud.notify.reopened',
      params: { code: sub.code, name: sub.name },
      link: subLink(sub),
      stageId: stage.id,
      subKegiatanId: sub.id,
    });
    return subOut(after);
  });
}

export async function listReviews(db: Db, pemdaId: number, subId: number) {
  const reviews = await db
    .selectFrom('bud_review')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('sub_kegiatan_id', '=', subId)
    .orderBy('id', 'desc')
    .execute();
  const notes = reviews.length
    ? await db
        .selectFrom('bud_line_note')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where(
          'review_id',
          'in',
          reviews.map((r) => r.id),
        )
        .execute()
    : [];
  return reviews.map((r) => ({
    ...r,
    line_notes: notes.filter((n) => n.review_id === r.id).map((n) => ({ line_id: String(n.line_id), note: n.note })),
  }));
}
