// The budget of a public stage as a Fiscal Data Package (OpenSpending / Frictionless): a
// datapackage.json descriptor with its model (measures by phase, dimensions) and one CSV of
// expenditure per OPD × sub kegiatan × account × funding source (sumber dana). Phases:
// proposed = the RKA as the OPDs submitted it to TAPD for the APBD (murni) stage (the latest
// submission of each approved sub kegiatan, from budgeting's submission snapshots); approved = the
// APBD (murni) stage of the year; adjusted = the stage asked for when it is a pergeseran or the
// APBD-P; executed = realisation (SP2D) of the year (see docs/transparency.md).
import type { Db } from '../../core/db/database.ts';
import type { Pemda } from '../../core/tenancy.ts';
import {
  aggregateLines,
  listFunctions,
  hasSubmissions,
  listPublicStages,
  proposedAmounts,
  type PublicStage,
} from '../budgeting/index.ts';
import { realisationTotals } from '../controlling/index.ts';
import { listFundingSources, listOpds } from '../master-data/index.ts';
import { stageSlug } from './portal.ts';

export const FDP_COLUMNS = [
  'opd_code',
  'opd_name',
  'program_code',
  'kegiatan_code',
  'sub_kegiatan_code',
  'sub_kegiatan_name',
  'function_code',
  'function_name',
  'account_code',
  'funding_source_code',
  'funding_source_name',
  'proposed',
  'approved',
  'adjusted',
  'executed',
] as const;

export type FdpRow = Record<(typeof FDP_COLUMNS)[number], string>;

/** The rows of the package (expenditure only), amounts as integer-rupiah strings. */
export async function fdpRows(
  db: Db,
  pemdaId: number,
  stage: PublicStage,
): Promise<{ rows: FdpRow[]; adjusted: boolean; executed: boolean; proposed: boolean }> {
  const stages = await listPublicStages(db, pemdaId, stage.year);
  const murni = stages.find((s) => s.kind === 'murni') ?? stage;
  const adjusted = stage.id !== murni.id;
  const [base, current, proposal, real, opds, funds, fns] = await Promise.all([
    aggregateLines(db, pemdaId, murni.id),
    adjusted ? aggregateLines(db, pemdaId, stage.id) : Promise.resolve([]),
    proposedAmounts(db, pemdaId, murni.id),
    realisationTotals(db, pemdaId, stage.year),
    listOpds(db, pemdaId),
    listFundingSources(db, pemdaId),
    listFunctions(db, pemdaId),
  ]);
  const opd = new Map(opds.map((o) => [o.id, o]));
  const fund = new Map(funds.map((f) => [f.id, f]));
  const fn = new Map(fns.map((f) => [f.code, f.name]));
  const rows = new Map<string, FdpRow>();
  type Amount = Omit<(typeof base)[number], 'kind'>;
  const add = (list: Amount[], measure: 'proposed' | 'approved' | 'adjusted') => {
    for (const a of list) {
      const key = `${a.opd_id}|${a.sub_kegiatan_code}|${a.account_code}|${a.funding_source_id ?? ''}`;
      const o = opd.get(a.opd_id);
      const f = a.funding_source_id ? fund.get(a.funding_source_id) : undefined;
      const row = rows.get(key) ?? {
        opd_code: o?.code ?? String(a.opd_id),
        opd_name: o?.name ?? '',
        program_code: a.program_code ?? '',
        kegiatan_code: a.kegiatan_code ?? '',
        sub_kegiatan_code: a.sub_kegiatan_code ?? '',
        sub_kegiatan_name: a.sub_kegiatan_name ?? '',
        function_code: a.function_code ?? '',
        function_name: a.function_code ? (fn.get(a.function_code) ?? '') : '',
        account_code: a.account_code,
        funding_source_code: f?.code ?? '',
        funding_source_name: f?.name ?? '',
        proposed: '0',
        approved: '0',
        adjusted: '0',
        executed: '0',
      };
      row[measure] = (BigInt(row[measure]) + BigInt(a.total)).toString();
      rows.set(key, row);
    }
  };
  const belanja = (list: typeof base) => list.filter((a) => a.kind === 'belanja');
  add(belanja(base), 'approved');
  add(proposal, 'proposed');
  if (adjusted) add(belanja(current), 'adjusted');
  else for (const r of rows.values()) r.adjusted = r.approved;
  // realisation is recorded per OPD, sub kegiatan and account: it goes to the first row of that key
  const firstOf = new Map<string, FdpRow>();
  for (const r of rows.values()) {
    const k = `${r.opd_code}|${r.sub_kegiatan_code}|${r.account_code}`;
    if (!firstOf.has(k)) firstOf.set(k, r);
  }
  for (const x of real) {
    const r = firstOf.get(`${opd.get(x.opd_id)?.code ?? x.opd_id}|${x.sub_kegiatan_code}|${x.account_code}`);
    if (r) r.executed = (BigInt(r.executed) + BigInt(x.amount)).toString();
  }
  return { rows: [...rows.values()], adjusted, executed: real.length > 0, proposed: proposal.length > 0 };
}

/** Whether the package of a stage has a "proposed" phase (submissions recorded for its APBD murni). */
export async function fdpHasProposal(db: Db, pemdaId: number, stage: PublicStage): Promise<boolean> {
  const stages = await listPublicStages(db, pemdaId, stage.year);
  const murni = stages.find((s) => s.kind === 'murni') ?? stage;
  return hasSubmissions(db, pemdaId, murni.id);
}

/** The datapackage.json of a stage; `csvPath` is the resource path relative to the descriptor. */
export function fdpDescriptor(
  pemda: Pemda,
  stage: PublicStage,
  csvPath: string,
  opts: { executed: boolean; proposed: boolean },
) {
  const name = `apbd-${pemda.code.replace(/[^0-9a-z]/gi, '-').toLowerCase()}-${stage.year}-${stageSlug(stage)}`;
  const measure = (phase: 'proposed' | 'approved' | 'adjusted' | 'executed') => ({
    source: phase,
    currency: 'IDR',
    direction: 'expenditure' as const,
    phase,
  });
  const dim = (
    attributes: Record<string, { source: string; parent?: string; labelfor?: string }>,
    primaryKey: string,
    type: string,
    classificationType?: string,
  ) => ({
    attributes,
    primaryKey,
    dimensionType: type,
    ...(classificationType ? { classificationType } : {}),
  });
  return {
    profile: 'tabular-data-package',
    name,
    title: `APBD ${pemda.name} ${stage.year} — ${stage.name}`,
    description: `Belanja ${stage.name} ${pemda.name} per OPD, sub kegiatan, akun dan sumber dana (rupiah). Hanya tahap yang telah disahkan.`,
    countryCode: 'ID',
    granularity: 'aggregated',
    fiscalPeriod: { start: `${stage.year}-01-01`, end: `${stage.year}-12-31` },
    licenses: [{ name: 'ODC-PDDL-1.0', title: 'Open Data Commons Public Domain Dedication and License' }],
    resources: [
      {
        name: 'belanja',
        path: csvPath,
        profile: 'tabular-data-resource',
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        schema: {
          fields: FDP_COLUMNS.map((c) =>
            c === 'proposed' || c === 'approved' || c === 'adjusted' || c === 'executed'
              ? { name: c, type: 'integer' }
              : { name: c, type: 'string' },
          ),
        },
      },
    ],
    model: {
      measures: {
        ...(opts.proposed ? { proposed: measure('proposed') } : {}),
        approved: measure('approved'),
        adjusted: measure('adjusted'),
        ...(opts.executed ? { executed: measure('executed') } : {}),
      },
      dimensions: {
        administrative: dim(
          { opd_code: { source: 'opd_code' }, opd_name: { source: 'opd_name', labelfor: 'opd_code' } },
          'opd_code',
          'classification',
          'administrative',
        ),
        activity: dim(
          {
            program_code: { source: 'program_code' },
            kegiatan_code: { source: 'kegiatan_code', parent: 'program_code' },
            sub_kegiatan_code: { source: 'sub_kegiatan_code', parent: 'kegiatan_code' },
            sub_kegiatan_name: { source: 'sub_kegiatan_name', labelfor: 'sub_kegiatan_code' },
          },
          'sub_kegiatan_code',
          'activity',
        ),
        functional: dim(
          {
            function_code: { source: 'function_code' },
            function_name: { source: 'function_name', labelfor: 'function_code' },
          },
          'function_code',
          'classification',
          'functional',
        ),
        economic: dim({ account_code: { source: 'account_code' } }, 'account_code', 'classification', 'economic'),
        funding_source: dim(
          {
            funding_source_code: { source: 'funding_source_code' },
            funding_source_name: { source: 'funding_source_name', labelfor: 'funding_source_code' },
          },
          'funding_source_code',
          'other',
        ),
      },
    },
  };
}
