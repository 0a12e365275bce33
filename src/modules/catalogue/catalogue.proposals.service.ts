// Catalogue proposals: an OPD proposes a new item or a price change → Tim Data verifies → TAPD approves.
import { type Updateable } from 'kysely';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { Db } from '../../core/db/database.ts';
import { mutate, type UnitOfWork, type Trx } from '../../core/audit/audit.ts';
import { AppError, fieldError, type FieldError, badRequest, notFound, conflict } from '../../core/errors.ts';
import { type Principal, isOpdScoped } from '../../core/roles.ts';
import { requirePermission } from '../../core/auth/policy.ts';
import type { CatalogueKind, ProposalStatus, CatProposalTable } from './catalogue.tables.ts';
import {
  getCurrentPrice,
  getPriceVersion,
  type Handle,
  KINDS,
  parseAccounts,
  type PricedItem,
} from './catalogue.read.service.ts';
import {
  accountsSchema,
  checkAccounts,
  codeSchema,
  codeTaken,
  codeTakenError,
  insertItems,
  insertVersions,
  nameSchema,
  noteSchema,
  priceSchema,
  setCurrent,
  snapshot,
  specSchema,
  tkdnSchema,
  unitSchema,
  yearSchema,
} from './catalogue.write.service.ts';

// ---- proposals (OPD → Tim Data → TAPD) -------------------------------------------------------------
export interface Proposal {
  id: number;
  year: number;
  kind: CatalogueKind;
  itemId: number | null;
  baseVersion: number | null;
  opdId: number;
  status: ProposalStatus;
  code: string | null;
  name: string;
  spec: string;
  unit: string;
  price: string;
  tkdn: string | null;
  accounts: string[];
  justification: string;
  proposedByName: string;
  proposedAt: Date;
  verifiedByName: string | null;
  verifiedAt: Date | null;
  verifyNote: string | null;
  decidedByName: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  resultItemId: number | null;
  resultVersion: number | null;
  version: number;
}

type ProposalRow = Awaited<ReturnType<typeof loadProposalRow>>;
async function loadProposalRow(db: Handle, pemdaId: number, id: number, forUpdate = false) {
  let q = db.selectFrom('cat_proposal').selectAll().where('pemda_id', '=', pemdaId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

function toProposal(r: NonNullable<ProposalRow>): Proposal {
  return {
    id: r.id,
    year: r.year,
    kind: r.kind,
    itemId: r.item_id,
    baseVersion: r.base_version,
    opdId: r.opd_id,
    status: r.status,
    code: r.code,
    name: r.name,
    spec: r.spec,
    unit: r.unit,
    price: String(r.price),
    tkdn: r.tkdn === null ? null : String(r.tkdn),
    accounts: parseAccounts(r.accounts),
    justification: r.justification,
    proposedByName: r.proposed_by_name,
    proposedAt: r.proposed_at,
    verifiedByName: r.verified_by_name,
    verifiedAt: r.verified_at,
    verifyNote: r.verify_note,
    decidedByName: r.decided_by_name,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    resultItemId: r.result_item_id,
    resultVersion: r.result_version,
    version: r.version,
  };
}

const emptyToNull = <T>(v: T | '' | null | undefined): T | null => (v === '' || v === undefined ? null : v);

export const proposalCreateSchema = z.object({
  /** The item whose price should change; omit for a new item. */
  item_id: intIn(z.number().int().positive().nullish()),
  /** New items: the fiscal year and group. */
  year: yearSchema.optional(),
  kind: z.enum(KINDS).optional(),
  /** New items: the goods code, when the OPD knows it (Tim Data assigns it otherwise). */
  code: z
    .union([codeSchema, z.literal('')])
    .nullish()
    .transform((v) => emptyToNull(v)),
  name: nameSchema.optional(),
  spec: specSchema.optional(),
  unit: unitSchema.optional(),
  price: priceSchema,
  tkdn: tkdnSchema,
  accounts: accountsSchema.optional(),
  justification: z.string().trim().min(10, 'cat.error.justification_short').max(4000),
  /** The proposing OPD; defaults to the proposer's own. */
  opd_id: intIn(z.number().int().positive().optional()),
});
export type ProposalCreateInput = z.input<typeof proposalCreateSchema>;

export const proposalResubmitSchema = proposalCreateSchema
  .omit({ item_id: true, year: true, kind: true, opd_id: true })
  .extend({
    version: intIn(z.number().int().min(1)),
    price: priceSchema.optional(),
    justification: proposalCreateSchema.shape.justification.optional(),
  });
export type ProposalResubmitInput = z.input<typeof proposalResubmitSchema>;

export const verifySchema = z.object({
  version: intIn(z.number().int().min(1)),
  note: noteSchema.optional(),
  /** Tim Data assigns the goods code of a new item that came without one. */
  code: z
    .union([codeSchema, z.literal('')])
    .nullish()
    .transform((v) => emptyToNull(v)),
});
export const returnSchema = z.object({
  version: intIn(z.number().int().min(1)),
  note: z.string().trim().min(3, 'cat.error.reason_required').max(1000),
});
export const approveSchema = z.object({ version: intIn(z.number().int().min(1)), note: noteSchema.optional() });
export const rejectSchema = z.object({
  version: intIn(z.number().int().min(1)),
  reason: z.string().trim().min(3, 'cat.error.reason_required').max(1000),
});

function requireOwnOpd(actor: Principal, opdId: number): void {
  if (isOpdScoped(actor.role) && actor.opdId !== opdId) throw new AppError(403, 'forbidden', 'error.forbidden_opd');
}

/** An OPD proposes a new item or a price change for its own OPD. */
export async function createProposal(db: Db, actor: Principal, input: ProposalCreateInput): Promise<Proposal> {
  requirePermission(actor, 'cat.propose');
  const v = proposalCreateSchema.parse(input);
  const opdId = v.opd_id ?? actor.opdId;
  if (!opdId) throw fieldError('opd_id', 'field.required');
  requireOwnOpd(actor, opdId);
  const pemdaId = actor.pemdaId;
  let year: number;
  let kind: CatalogueKind;
  let base: PricedItem | undefined;
  const errors: FieldError[] = [];
  if (v.item_id) {
    base = await getCurrentPrice(db, pemdaId, v.item_id);
    if (!base) throw fieldError('item_id', 'cat.error.item_unknown');
    year = base.year;
    kind = base.kind;
  } else {
    if (!v.year) errors.push({ field: 'year', message: 'field.required' });
    if (!v.kind) errors.push({ field: 'kind', message: 'field.required' });
    if (v.kind === 'SBU') errors.push({ field: 'kind', message: 'cat.error.sbu_proposal' });
    if (!v.name) errors.push({ field: 'name', message: 'field.required' });
    if (!v.unit) errors.push({ field: 'unit', message: 'field.required' });
    if (!v.accounts?.length) errors.push({ field: 'accounts', message: 'cat.error.accounts_required' });
    if (errors.length) throw badRequest(errors);
    year = v.year!;
    kind = v.kind!;
    if (v.code && (await codeTaken(db, pemdaId, year, kind, v.code))) throw codeTakenError();
  }
  const accounts = v.accounts ?? base?.accounts ?? [];
  const accErrors = await checkAccounts(db, pemdaId, year, accounts);
  if (accErrors.length) throw badRequest(accErrors);
  return mutate(db, actor, async (uow) => {
    const row = await uow.trx
      .insertInto('cat_proposal')
      .values({
        pemda_id: pemdaId,
        year,
        kind,
        item_id: base?.itemId ?? null,
        base_version: base?.version ?? null,
        opd_id: opdId,
        code: base ? base.code : v.code,
        name: v.name ?? base!.name,
        spec: v.spec ?? base?.spec ?? '',
        unit: v.unit ?? base!.unit,
        price: v.price.toString(),
        tkdn: input.tkdn === undefined && base ? base.tkdn : v.tkdn,
        accounts: JSON.stringify(accounts),
        justification: v.justification,
        proposed_by: actor.userId || null,
        proposed_by_name: actor.fullName || actor.username,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const p = toProposal(row);
    uow.audit({ action: 'propose', entity: 'cat_proposal', entityId: p.id, opdId, after: proposalSnapshot(p, base) });
    return p;
  });
}

function proposalSnapshot(p: Proposal, base?: PricedItem): Record<string, unknown> {
  return {
    status: p.status,
    item_id: p.itemId,
    base_version: p.baseVersion,
    base_price: base?.price,
    year: p.year,
    kind: p.kind,
    code: p.code,
    name: p.name,
    unit: p.unit,
    price: p.price,
    tkdn: p.tkdn,
    accounts: p.accounts,
  };
}

async function transition(
  db: Db,
  actor: Principal,
  id: number,
  expectedVersion: number,
  from: ProposalStatus[],
  fn: (uow: UnitOfWork, row: NonNullable<ProposalRow>) => Promise<void>,
): Promise<Proposal> {
  return mutate(db, actor, async (uow) => {
    const row = await loadProposalRow(uow.trx, actor.pemdaId, id, true);
    if (!row) throw notFound();
    if (isOpdScoped(actor.role) && actor.opdId !== row.opd_id) throw notFound();
    if (row.version !== expectedVersion) throw conflict('error.conflict', { current: toProposal(row) });
    if (!from.includes(row.status)) throw conflict(`cat.error.bad_status.${row.status}`, { status: row.status });
    await fn(uow, row);
    return toProposal((await loadProposalRow(uow.trx, actor.pemdaId, id))!);
  });
}

/** Write a proposal's next state and bump its version (the optimistic lock of `transition`). */
async function updateProposal(
  trx: Trx,
  pemdaId: number,
  row: NonNullable<ProposalRow>,
  set: Updateable<CatProposalTable>,
): Promise<void> {
  await trx
    .updateTable('cat_proposal')
    .set({ ...set, version: row.version + 1, updated_at: new Date() })
    .where('pemda_id', '=', pemdaId)
    .where('id', '=', row.id)
    .execute();
}

/** Who verified or returned a proposal, and when. */
const verifiedBy = (actor: Principal) => ({
  verified_by: actor.userId || null,
  verified_by_name: actor.fullName || actor.username,
  verified_at: new Date(),
});
/** Who approved or rejected a proposal, and when. */
const decidedBy = (actor: Principal) => ({
  decided_by: actor.userId || null,
  decided_by_name: actor.fullName || actor.username,
  decided_at: new Date(),
});

/** Tim Data checks a submitted proposal (and assigns a code to a new item that has none). */
export async function verifyProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof verifySchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.verify');
  const v = verifySchema.parse(input);
  return transition(db, actor, id, v.version, ['submitted'], async (uow, row) => {
    const code = v.code ?? row.code;
    if (!row.item_id) {
      if (!code) throw fieldError('code', 'cat.error.code_needed');
      if (await codeTaken(uow.trx, actor.pemdaId, row.year, row.kind, code)) throw codeTakenError();
    }
    const errors = await checkAccounts(uow.trx, actor.pemdaId, row.year, parseAccounts(row.accounts));
    if (errors.length) throw badRequest(errors);
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'verified',
      code,
      ...verifiedBy(actor),
      verify_note: v.note || null,
    });
    uow.audit({
      action: 'verify',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status, code: row.code },
      after: { status: 'verified', code, note: v.note ?? '' },
    });
  });
}

/** Tim Data sends a submitted proposal back to the OPD with a note. */
export async function returnProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof returnSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.verify');
  const v = returnSchema.parse(input);
  return transition(db, actor, id, v.version, ['submitted'], async (uow, row) => {
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'returned',
      ...verifiedBy(actor),
      verify_note: v.note,
    });
    uow.audit({
      action: 'return',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'returned', note: v.note },
    });
  });
}

/** The OPD corrects a returned proposal and submits it again. */
export async function resubmitProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: ProposalResubmitInput,
): Promise<Proposal> {
  requirePermission(actor, 'cat.propose');
  const v = proposalResubmitSchema.parse(input);
  const pre = await loadProposalRow(db, actor.pemdaId, id);
  if (!pre) throw notFound();
  requireOwnOpd(actor, pre.opd_id);
  if (v.accounts) {
    const errors = await checkAccounts(db, actor.pemdaId, pre.year, v.accounts);
    if (errors.length) throw badRequest(errors);
  }
  if (!pre.item_id && v.code && v.code !== pre.code && (await codeTaken(db, actor.pemdaId, pre.year, pre.kind, v.code)))
    throw codeTakenError();
  return transition(db, actor, id, v.version, ['returned'], async (uow, row) => {
    const next = {
      code: row.item_id ? row.code : v.code === undefined || input.code === undefined ? row.code : v.code,
      name: v.name ?? row.name,
      spec: v.spec ?? row.spec,
      unit: v.unit ?? row.unit,
      price: v.price === undefined ? String(row.price) : v.price.toString(),
      tkdn: input.tkdn === undefined ? row.tkdn : v.tkdn,
      accounts: JSON.stringify(v.accounts ?? parseAccounts(row.accounts)),
      justification: v.justification ?? row.justification,
    };
    await updateProposal(uow.trx, actor.pemdaId, row, { ...next, status: 'submitted', proposed_at: new Date() });
    uow.audit({
      action: 'resubmit',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status, price: String(row.price), name: row.name },
      after: { status: 'submitted', price: next.price, name: next.name },
    });
  });
}

/** TAPD approves a verified proposal: the new item, or the item's next version, becomes usable. */
export async function approveProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof approveSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.approve');
  const v = approveSchema.parse(input);
  const pemdaId = actor.pemdaId;
  return transition(db, actor, id, v.version, ['verified'], async (uow, row) => {
    const accounts = parseAccounts(row.accounts);
    const errors = await checkAccounts(uow.trx, pemdaId, row.year, accounts);
    if (errors.length) throw badRequest(errors);
    const fields = {
      name: row.name,
      spec: row.spec,
      unit: row.unit,
      price: BigInt(row.price),
      tkdn: row.tkdn,
      accounts,
      source: 'proposal' as const,
      proposalId: id,
      note: v.note,
    };
    let itemId: number;
    let version: number;
    if (row.item_id) {
      const item = await uow.trx
        .selectFrom('cat_item')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('id', '=', row.item_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (!item.active) throw conflict('cat.error.item_inactive');
      const before = (await getPriceVersion(uow.trx, pemdaId, item.id, item.current_version))!;
      itemId = item.id;
      version = item.current_version + 1;
      await insertVersions(uow.trx, actor, [{ itemId, version, ...fields }]);
      await setCurrent(uow.trx, pemdaId, itemId, version, row.name);
      const after = (await getPriceVersion(uow.trx, pemdaId, itemId, version))!;
      uow.audit({
        action: 'price_change',
        entity: 'cat_item',
        entityId: itemId,
        opdId: row.opd_id,
        before: snapshot(before),
        after: { ...snapshot(after), proposal_id: id },
      });
    } else {
      if (!row.code) throw fieldError('code', 'cat.error.code_needed');
      if (await codeTaken(uow.trx, pemdaId, row.year, row.kind, row.code)) throw codeTakenError();
      const ids = await insertItems(uow.trx, pemdaId, [
        { year: row.year, kind: row.kind, code: row.code, name: row.name, sbu: null },
      ]);
      itemId = ids.get(`${row.year}|${row.kind}|${row.code}`)!;
      version = 1;
      await insertVersions(uow.trx, actor, [{ itemId, version, ...fields }]);
      const after = (await getPriceVersion(uow.trx, pemdaId, itemId, version))!;
      uow.audit({
        action: 'create',
        entity: 'cat_item',
        entityId: itemId,
        opdId: row.opd_id,
        after: { ...snapshot(after), year: row.year, kind: row.kind, proposal_id: id },
      });
    }
    await updateProposal(uow.trx, pemdaId, row, {
      status: 'approved',
      ...decidedBy(actor),
      decision_note: v.note || null,
      result_item_id: itemId,
      result_version: version,
    });
    uow.audit({
      action: 'approve',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'approved', item_id: itemId, version },
    });
  });
}

/** TAPD rejects a verified proposal, giving the reason. */
export async function rejectProposal(
  db: Db,
  actor: Principal,
  id: number,
  input: z.input<typeof rejectSchema>,
): Promise<Proposal> {
  requirePermission(actor, 'cat.approve');
  const v = rejectSchema.parse(input);
  return transition(db, actor, id, v.version, ['verified'], async (uow, row) => {
    await updateProposal(uow.trx, actor.pemdaId, row, {
      status: 'rejected',
      ...decidedBy(actor),
      decision_note: v.reason,
    });
    uow.audit({
      action: 'reject',
      entity: 'cat_proposal',
      entityId: id,
      opdId: row.opd_id,
      before: { status: row.status },
      after: { status: 'rejected', reason: v.reason },
    });
  });
}

/** A proposal as the reader may see it (OPD roles: only their own OPD's). */
export async function getProposal(db: Db, reader: Principal, id: number): Promise<Proposal | undefined> {
  const row = await loadProposalRow(db, reader.pemdaId, id);
  if (!row) return undefined;
  if (isOpdScoped(reader.role) && reader.opdId !== row.opd_id) return undefined;
  return toProposal(row);
}

export async function listProposals(
  db: Db,
  reader: Principal,
  f: { status?: ProposalStatus; year?: number; itemId?: number; limit?: number; offset?: number } = {},
): Promise<{ rows: Proposal[]; total: number }> {
  let q = db.selectFrom('cat_proposal').where('pemda_id', '=', reader.pemdaId);
  if (isOpdScoped(reader.role)) q = q.where('opd_id', '=', reader.opdId ?? -1);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.year) q = q.where('year', '=', f.year);
  if (f.itemId) q = q.where('item_id', '=', f.itemId);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(f.limit ?? 50, 500))
      .offset(f.offset ?? 0)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toProposal), total: Number(count.n) };
}
