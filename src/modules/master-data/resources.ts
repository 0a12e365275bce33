// The six master-data resources as definitions, split by feature (this file re-exports them):
//   resource-def.ts              what a resource definition is (inputs, columns, filters, hooks) and zod helpers
//   resources.organisations.ts   OPD, units and kecamatan offices
//   resources.codes.ts           the nomenclature and the chart of accounts
//   resources.reference.ts       regions, funding sources, units of measure
//   resources.registry.ts        the list of resources and the permissions
export {
  RESOURCE_KEYS,
  type ResourceKey,
  type MdTable,
  type Row,
  ORG_KINDS,
  type Prepared,
  type WriteCtx,
  type Op,
  type OptionsCtx,
  type InputDef,
  type ImportRecord,
  type ColumnDef,
  type FilterDef,
  type ResourceDef,
} from './resource-def.ts';
export { organisations } from './resources.organisations.ts';
export { nomenclature, accounts } from './resources.codes.ts';
export { regions, fundingSources, units } from './resources.reference.ts';
export { RESOURCES, resourceOf, PERMISSIONS } from './resources.registry.ts';
