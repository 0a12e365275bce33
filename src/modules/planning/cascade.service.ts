// The cascade (pohon kinerja): a sub kegiatan up to the RPJMD goal it serves.
import type { Db } from '../../core/db/database.ts';
import { getNomenclature } from '../master-data/index.ts';
import { type Q, kegiatanOf, programOf, cleanDecimal } from './common.ts';
import type { RenstraNodeKind } from './planning.tables.ts';
import { indicatorsFor, type IndicatorView, type NodeView } from './plans.shared.service.ts';
import { getRpjmdNode, rpjmdForYear, rpjmdTree } from './rpjmd.service.ts';
import { renstraFor, renstraTree } from './renstra.service.ts';

// ---- cascade (pohon kinerja) ----------------------------------------------------------------------

export interface CascadeLevel {
  level:
    | 'vision'
    | 'mission'
    | 'goal'
    | 'target'
    | 'rpjmd_program'
    | 'renstra_goal'
    | 'renstra_target'
    | 'program'
    | 'kegiatan'
    | 'sub_kegiatan';
  id: number | null;
  code: string;
  text: string;
  indicators: Array<{ name: string; unit: string; baseline: string | null; target: string | null }>;
}

function indicatorsForYear(list: IndicatorView[] | undefined, year: number | null) {
  return (list ?? []).map((i) => ({
    name: i.name,
    unit: i.unit,
    baseline: i.baseline,
    target: year === null ? null : (i.targets.find((t) => t.year === year)?.value ?? null),
  }));
}

/**
 * The chain of a sub kegiatan of an OPD in a year, from the RPJMD vision down to the sub kegiatan
 * (top first). `complete` is true when it reaches an RPJMD goal.
 */
export async function cascadeForSubKegiatan(db: Q, pemdaId: number, year: number, opdId: number, code: string) {
  const rpjmd = await rpjmdForYear(db, pemdaId, year);
  if (!rpjmd) return { rpjmd: null, levels: [] as CascadeLevel[], complete: false, matched: null as string | null };
  const renstra = await renstraFor(db, pemdaId, rpjmd.id, opdId);
  const down: CascadeLevel[] = [];
  let matched: string | null = null;
  let complete = false;
  if (renstra) {
    const nodes = await db
      .selectFrom('pln_renstra_node')
      .selectAll()
      .where('pemda_id', '=', pemdaId)
      .where('renstra_id', '=', renstra.id)
      .execute();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const start =
      nodes.find((n) => n.kind === 'sub_kegiatan' && n.code === code) ??
      nodes.find((n) => n.kind === 'kegiatan' && n.code === kegiatanOf(code)) ??
      nodes.find((n) => n.kind === 'program' && n.code === programOf(code));
    if (start) {
      matched = start.kind;
      const chain: typeof nodes = [];
      for (let n: (typeof nodes)[number] | undefined = start; n; n = n.parent_id ? byId.get(n.parent_id) : undefined)
        chain.push(n);
      const inds = await indicatorsFor(
        db,
        pemdaId,
        'renstra_node_id',
        chain.map((n) => n.id),
      );
      const levelOf: Record<RenstraNodeKind, CascadeLevel['level']> = {
        goal: 'renstra_goal',
        target: 'renstra_target',
        program: 'program',
        kegiatan: 'kegiatan',
        sub_kegiatan: 'sub_kegiatan',
      };
      for (const n of chain)
        down.push({
          level: levelOf[n.kind],
          id: n.id,
          code: n.code,
          text: n.text,
          indicators: indicatorsForYear(inds.get(n.id), year),
        });
      const program = chain.find((n) => n.kind === 'program');
      const goal = chain.find((n) => n.kind === 'goal');
      // the RPJMD chain: target served by the Renstra goal, its goal, mission, vision
      const rpNodes = await db
        .selectFrom('pln_rpjmd_node')
        .selectAll()
        .where('pemda_id', '=', pemdaId)
        .where('rpjmd_id', '=', rpjmd.id)
        .execute();
      const rpById = new Map(rpNodes.map((n) => [n.id, n]));
      const rpChain: typeof rpNodes = [];
      if (program?.rpjmd_node_id) {
        const rp = rpById.get(program.rpjmd_node_id);
        if (rp) rpChain.push(rp);
      }
      for (
        let n = goal?.rpjmd_node_id ? rpById.get(goal.rpjmd_node_id) : undefined;
        n;
        n = n.parent_id ? rpById.get(n.parent_id) : undefined
      )
        rpChain.push(n);
      const rpInds = await indicatorsFor(
        db,
        pemdaId,
        'rpjmd_node_id',
        rpChain.map((n) => n.id),
      );
      for (const n of rpChain) {
        down.push({
          level: n.kind === 'program' ? 'rpjmd_program' : (n.kind as CascadeLevel['level']),
          id: n.id,
          code: n.program_code ?? n.code,
          text: n.text,
          indicators: indicatorsForYear(rpInds.get(n.id), year),
        });
      }
      complete = rpChain.some((n) => n.kind === 'goal');
    }
  }
  if (down.length) down.push({ level: 'vision', id: null, code: '', text: rpjmd.vision, indicators: [] });
  if (matched && matched !== 'sub_kegiatan') {
    const nom = await getNomenclature(db as Db, pemdaId, year, code);
    down.unshift({ level: 'sub_kegiatan', id: null, code, text: nom?.name ?? code, indicators: [] });
  }
  return { rpjmd, levels: down.reverse(), complete, matched };
}

export interface GoalTree {
  goal: NodeView;
  mission: { id: number; text: string } | null;
  targets: Array<{
    node: NodeView;
    strategies: NodeView[];
    programs: NodeView[];
    renstra: Array<{ opd_id: number; renstra_id: number; nodes: NodeView[] }>;
  }>;
  renjaItems: Array<{
    id: number;
    opd_id: number;
    sub_kegiatan_code: string;
    pagu: string;
    target: string | null;
    unit: string | null;
    status: string;
  }>;
}

/** Everything under an RPJMD goal: targets, strategies, programs, the Renstra that serve them, and (for a year) the Renja items. */
export async function cascadeForGoal(
  db: Q,
  pemdaId: number,
  goalId: number,
  year?: number,
): Promise<GoalTree | undefined> {
  const goal = await getRpjmdNode(db, pemdaId, goalId);
  if (!goal || goal.kind !== 'goal') return undefined;
  const tree = (await rpjmdTree(db, pemdaId, goal.rpjmd_id))!;
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  const mission = goal.parent_id ? byId.get(goal.parent_id) : undefined;
  const targets = tree.nodes.filter((n) => n.parent_id === goalId && n.kind === 'target');
  const result: GoalTree = {
    goal: byId.get(goalId)!,
    mission: mission ? { id: mission.id, text: mission.text } : null,
    targets: [],
    renjaItems: [],
  };
  const served = targets.length
    ? await db
        .selectFrom('pln_renstra_node as n')
        .innerJoin('pln_renstra as r', (j) =>
          j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.id', '=', 'n.renstra_id'),
        )
        .select(['n.id', 'n.renstra_id', 'r.opd_id', 'n.rpjmd_node_id'])
        .where('n.pemda_id', '=', pemdaId)
        .where('n.kind', '=', 'goal')
        .where(
          'n.rpjmd_node_id',
          'in',
          targets.map((t) => t.id),
        )
        .execute()
    : [];
  const renstraIds = [...new Set(served.map((s) => s.renstra_id))];
  const trees = new Map<number, NodeView[]>();
  for (const rid of renstraIds) trees.set(rid, (await renstraTree(db, pemdaId, rid))!.nodes);
  const codesByOpd = new Map<number, Set<string>>();
  for (const t of targets) {
    const entry: GoalTree['targets'][number] = {
      node: t,
      strategies: tree.nodes.filter((n) => n.parent_id === t.id && n.kind === 'strategy'),
      programs: tree.nodes.filter((n) => n.parent_id === t.id && n.kind === 'program'),
      renstra: [],
    };
    for (const s of served.filter((x) => x.rpjmd_node_id === t.id)) {
      const all = trees.get(s.renstra_id)!;
      const keep = new Set<number>([s.id]);
      // descendants of the served goal (nodes come parent-before-child only by id order; loop to a fixpoint)
      let grew = true;
      while (grew) {
        grew = false;
        for (const n of all)
          if (n.parent_id !== null && keep.has(n.parent_id) && !keep.has(n.id)) {
            keep.add(n.id);
            grew = true;
          }
      }
      const nodes = all.filter((n) => keep.has(n.id));
      entry.renstra.push({ opd_id: s.opd_id, renstra_id: s.renstra_id, nodes });
      const codes = codesByOpd.get(s.opd_id) ?? new Set<string>();
      for (const n of nodes) if (n.kind === 'program') codes.add(n.code);
      codesByOpd.set(s.opd_id, codes);
    }
    result.targets.push(entry);
  }
  if (year && codesByOpd.size) {
    const rows = await db
      .selectFrom('pln_renja_item as i')
      .innerJoin('pln_renja as r', (j) => j.onRef('r.pemda_id', '=', 'i.pemda_id').onRef('r.id', '=', 'i.renja_id'))
      .select(['i.id', 'r.opd_id', 'i.sub_kegiatan_code', 'i.pagu', 'i.target', 'i.unit', 'r.status'])
      .where('i.pemda_id', '=', pemdaId)
      .where('r.year', '=', year)
      .where('r.opd_id', 'in', [...codesByOpd.keys()])
      .orderBy('i.sub_kegiatan_code')
      .execute();
    result.renjaItems = rows
      .filter((r) => codesByOpd.get(r.opd_id)?.has(programOf(r.sub_kegiatan_code)))
      .map((r) => ({ ...r, target: cleanDecimal(r.target) }));
  }
  return result;
}

/** The goals of the RPJMD covering a year (for pickers). */
export async function rpjmdGoals(db: Q, pemdaId: number, rpjmdId: number) {
  return db
    .selectFrom('pln_rpjmd_node')
    .select(['id', 'code', 'text'])
    .where('pemda_id', '=', pemdaId)
    .where('rpjmd_id', '=', rpjmdId)
    .where('kind', '=', 'goal')
    .orderBy('seq')
    .orderBy('id')
    .execute();
}

/** Does the OPD's Renstra (of the RPJMD covering the year) contain this code (sub kegiatan) or its program? */
export async function renstraTrace(
  db: Q,
  pemdaId: number,
  year: number,
  opdId: number,
  code: string,
): Promise<{ subKegiatanNodeId: number | null; programNodeId: number | null }> {
  const rows = await db
    .selectFrom('pln_renstra_node as n')
    .innerJoin('pln_renstra as r', (j) => j.onRef('r.pemda_id', '=', 'n.pemda_id').onRef('r.id', '=', 'n.renstra_id'))
    .innerJoin('pln_rpjmd as m', (j) => j.onRef('m.pemda_id', '=', 'r.pemda_id').onRef('m.id', '=', 'r.rpjmd_id'))
    .select(['n.id', 'n.kind', 'n.code'])
    .where('n.pemda_id', '=', pemdaId)
    .where('r.opd_id', '=', opdId)
    .where('m.year_from', '<=', year)
    .where('m.year_to', '>=', year)
    .where('n.code', 'in', [code, programOf(code)])
    .execute();
  return {
    subKegiatanNodeId: rows.find((r) => r.kind === 'sub_kegiatan' && r.code === code)?.id ?? null,
    programNodeId: rows.find((r) => r.kind === 'program' && r.code === programOf(code))?.id ?? null,
  };
}

/** Year-specific Renstra numbers of a sub kegiatan node: its first indicator's target and unit, and the ceiling. */
export async function renstraYearValues(db: Q, pemdaId: number, nodeId: number, year: number) {
  const ind = await db
    .selectFrom('pln_indicator as i')
    .leftJoin('pln_indicator_target as t', (j) =>
      j.onRef('t.pemda_id', '=', 'i.pemda_id').onRef('t.indicator_id', '=', 'i.id').on('t.year', '=', year),
    )
    .select(['i.unit', 't.value'])
    .where('i.pemda_id', '=', pemdaId)
    .where('i.renstra_node_id', '=', nodeId)
    .orderBy('i.seq')
    .orderBy('i.id')
    .executeTakeFirst();
  const ceil = await db
    .selectFrom('pln_renstra_ceiling')
    .select('pagu')
    .where('pemda_id', '=', pemdaId)
    .where('node_id', '=', nodeId)
    .where('year', '=', year)
    .executeTakeFirst();
  return { target: cleanDecimal(ind?.value ?? null), unit: ind?.unit ?? null, pagu: ceil?.pagu ?? '0' };
}
