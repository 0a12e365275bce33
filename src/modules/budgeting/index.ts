// Public surface of the budgeting module: the only file other modules import. Issue #4 (APBD
// reports) reads bud_line through these queries or groups it directly by its denormalised keys
// (pemda_id, stage_id, opd_id, program/kegiatan/sub kegiatan code, account_code).
export { budgetingModule } from './budgeting.module.ts';
export { computeAmounts, coefficientLabel, type Factor, type LineAmounts } from './calc.ts';
export {
  currentStage,
  getOpenStage,
  getStage,
  inputState,
  listStages,
  listYears,
  type Stage,
} from './stages.service.ts';
export {
  getLine,
  getSub,
  lineOut,
  listLines,
  listSubs,
  subOut,
  type Line,
  type LineOut,
  type SubKegiatan,
  type SubOut,
} from './rka.service.ts';
export { accountTotals, expenditureRollup, opdOverview, reviewFlags, stageTotals } from './totals.queries.ts';
export { buildRka, type RkaDoc } from './exports.doc.ts';
export type { LineKind, StageKind, SubStatus } from './budgeting.tables.ts';
// Read-only views for the downstream modules (controlling, transparency) and the executed demo year.
export {
  aggregateLines,
  listFunctions,
  type LineAggregate,
  approvedDpas,
  dpaBudgets,
  dpaCashPlan,
  dpaLines,
  executionYears,
  getStageLine,
  lineTotals,
  listPublicStages,
  listStageLines,
  searchStageLines,
  streamStageLines,
  type Dimension,
  type DpaBudgetRow,
  type ExecutionDpa,
  type LineFilter,
  type PublicLine,
  type PublicStage,
  type PublicTotal,
} from './downstream.queries.ts';
// The RKA as submitted (the "proposed" phase of the Fiscal Data Package).
export {
  hasSubmissions,
  listSubmissions,
  proposedAmounts,
  type ProposedAmount,
  type Submission,
} from './submissions.service.ts';
export { EXECUTED_YEAR, seedDemoExecutedYear } from './seed.executed.ts';
export {
  ceilingStatistic,
  riskCandidates,
  type RiskCandidate,
  type RiskOptions,
  type RiskRule,
} from './risk.queries.ts';
// The internal trace of a line (any stage, drafts and review notes included).
export { lineTrace, type LineTrace } from './trace.queries.ts';
