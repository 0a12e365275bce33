// Medium-term plans' services, split by feature (this file re-exports them):
//   plans.shared.service.ts   shapes, and the indicators and ceilings loaded for a set of nodes
//   rpjmd.service.ts          the RPJMD (vision, missions, goals, targets, strategies, programs)
//   renstra.service.ts        the Renstra of each OPD
//   indicators.service.ts     indicators with a target per year, indicative ceilings per year
//   cascade.service.ts        the cascade (pohon kinerja) from a sub kegiatan up to its RPJMD goal
export { type IndicatorView, type NodeView } from './plans.shared.service.ts';
export {
  rpjmdCreateSchema,
  rpjmdUpdateSchema,
  listRpjmd,
  getRpjmd,
  rpjmdForYear,
  createRpjmd,
  updateRpjmd,
  rpjmdTree,
  rpjmdNodeCreateSchema,
  rpjmdNodeUpdateSchema,
  addRpjmdNode,
  getRpjmdNode,
  updateRpjmdNode,
  deleteRpjmdNode,
  ceilingsSchema,
  setRpjmdCeilings,
} from './rpjmd.service.ts';
export {
  listRenstra,
  getRenstra,
  renstraFor,
  renstraCreateSchema,
  renstraUpdateSchema,
  createRenstra,
  setRenstraStatus,
  renstraTree,
  getRenstraNode,
  opdOfRenstraNode,
  renstraNodeCreateSchema,
  renstraNodeUpdateSchema,
  addRenstraNode,
  updateRenstraNode,
  deleteRenstraNode,
  setRenstraCeilings,
} from './renstra.service.ts';
export {
  indicatorCreateSchema,
  indicatorUpdateSchema,
  opdOfIndicator,
  addIndicator,
  updateIndicator,
  deleteIndicator,
} from './indicators.service.ts';
export {
  type CascadeLevel,
  cascadeForSubKegiatan,
  type GoalTree,
  cascadeForGoal,
  rpjmdGoals,
  renstraTrace,
  renstraYearValues,
} from './cascade.service.ts';
