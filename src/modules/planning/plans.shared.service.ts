// Medium-term plans: the shapes of plan nodes, and the indicators and ceilings loaded for a set of nodes.
import { type UnitOfWork } from '../../core/audit/audit.ts';
import { fieldError } from '../../core/errors.ts';
import { type Q, cleanDecimal } from './common.ts';
import type { RpjmdNodeKind, RenstraNodeKind } from './planning.tables.ts';

// ---- shapes -----------------------------------------------------------------------------------

export interface IndicatorView {
  id: number;
  name: string;
  unit: string;
  formula: string;
  baseline: string | null;
  version: number;
  targets: Array<{ year: number; value: string }>;
}

export interface NodeView {
  id: number;
  parent_id: number | null;
  kind: string;
  seq: number;
  code: string;
  text: string;
  version: number;
  program_code?: string | null;
  opd_id?: number | null;
  rpjmd_node_id?: number | null;
  indicators: IndicatorView[];
  ceilings: Array<{ year: number; pagu: string }>;
}

export const RPJMD_PARENT: Record<RpjmdNodeKind, RpjmdNodeKind | null> = {
  mission: null,
  goal: 'mission',
  target: 'goal',
  strategy: 'target',
  program: 'target',
};
export const RENSTRA_PARENT: Record<RenstraNodeKind, RenstraNodeKind | null> = {
  goal: null,
  target: 'goal',
  program: 'target',
  kegiatan: 'program',
  sub_kegiatan: 'kegiatan',
};

// ---- indicators and ceilings loaded for a set of nodes ---------------------------------------

export async function indicatorsFor(
  db: Q,
  pemdaId: number,
  col: 'rpjmd_node_id' | 'renstra_node_id',
  nodeIds: number[],
): Promise<Map<number, IndicatorView[]>> {
  const out = new Map<number, IndicatorView[]>();
  if (nodeIds.length === 0) return out;
  const inds = await db
    .selectFrom('pln_indicator')
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where(col, 'in', nodeIds)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const targets = inds.length
    ? await db
        .selectFrom('pln_indicator_target')
        .select(['indicator_id', 'year', 'value'])
        .where('pemda_id', '=', pemdaId)
        .where(
          'indicator_id',
          'in',
          inds.map((i) => i.id),
        )
        .orderBy('year')
        .execute()
    : [];
  const byInd = new Map<number, Array<{ year: number; value: string }>>();
  for (const t of targets) {
    const list = byInd.get(t.indicator_id) ?? [];
    list.push({ year: t.year, value: cleanDecimal(t.value)! });
    byInd.set(t.indicator_id, list);
  }
  for (const i of inds) {
    const node = i[col]!;
    const list = out.get(node) ?? [];
    list.push({
      id: i.id,
      name: i.name,
      unit: i.unit,
      formula: i.formula,
      baseline: cleanDecimal(i.baseline),
      version: i.version,
      targets: byInd.get(i.id) ?? [],
    });
    out.set(node, list);
  }
  return out;
}

async function ceilingsFor(
  db: Q,
  pemdaId: number,
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  nodeIds: number[],
) {
  const out = new Map<number, Array<{ year: number; pagu: string }>>();
  if (nodeIds.length === 0) return out;
  const rows = await db
    .selectFrom(table)
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('node_id', 'in', nodeIds)
    .orderBy('year')
    .execute();
  for (const r of rows) {
    const list = out.get(r.node_id) ?? [];
    list.push({ year: r.year, pagu: r.pagu });
    out.set(r.node_id, list);
  }
  return out;
}

type NodeRow = {
  id: number;
  parent_id: number | null;
  kind: string;
  seq: number;
  code: string;
  text: string;
  version: number;
};

/** The views of a plan's nodes (in the given order) with their indicators and ceilings; `extra` adds the plan's own columns. */
export async function nodeViews<N extends NodeRow>(
  db: Q,
  pemdaId: number,
  nodes: N[],
  col: 'rpjmd_node_id' | 'renstra_node_id',
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  extra: (n: N) => Pick<NodeView, 'program_code' | 'opd_id' | 'rpjmd_node_id'>,
): Promise<NodeView[]> {
  const ids = nodes.map((n) => n.id);
  const [inds, ceil] = await Promise.all([indicatorsFor(db, pemdaId, col, ids), ceilingsFor(db, pemdaId, table, ids)]);
  return nodes.map((n) => ({
    id: n.id,
    parent_id: n.parent_id,
    kind: n.kind,
    seq: n.seq,
    code: n.code,
    text: n.text,
    version: n.version,
    ...extra(n),
    indicators: inds.get(n.id) ?? [],
    ceilings: ceil.get(n.id) ?? [],
  }));
}

/** Every year of the list inside the plan's period, or a field error. */
export function checkYearsInPeriod(
  list: Array<{ year: number }>,
  period: { year_from: number; year_to: number },
  field: string,
) {
  for (const c of list)
    if (c.year < period.year_from || c.year > period.year_to) throw fieldError(field, 'pln.error.year_outside_period');
}

/** Replace a node's ceilings; returns the rows before and the ceilings after. */
export async function replaceCeilings(
  uow: UnitOfWork,
  table: 'pln_rpjmd_ceiling' | 'pln_renstra_ceiling',
  pemdaId: number,
  nodeId: number,
  ceilings: Array<{ year: number; pagu: string }>,
) {
  const before = await uow.trx
    .selectFrom(table)
    .selectAll()
    .where('pemda_id', '=', pemdaId)
    .where('node_id', '=', nodeId)
    .execute();
  await uow.trx.deleteFrom(table).where('pemda_id', '=', pemdaId).where('node_id', '=', nodeId).execute();
  if (ceilings.length) {
    await uow.trx
      .insertInto(table)
      .values(ceilings.map((c) => ({ pemda_id: pemdaId, node_id: nodeId, year: c.year, pagu: c.pagu.toString() })))
      .execute();
  }
  return { before, after: ceilings.map((c) => ({ year: c.year, pagu: c.pagu.toString() })) };
}
