// The master-data repository, split (this file re-exports both):
//   master-data.rows.ts     the generic layer over the six resources: lookups, list/get, bidang of organisations
//   master-data.queries.ts  typed queries the other modules use through index.ts
export {
  type AnyDb,
  anyDb,
  TABLES,
  DbLookup,
  ImportLookup,
  type ListQuery,
  FUZZY_THRESHOLD,
  listRows,
  getRow,
  childRows,
  parentRow,
  distinctYears,
  bidangOf,
  setBidang,
  bidangNames,
  allBidang,
  reparentAccounts,
} from './master-data.rows.ts';
export {
  type OpdSummary,
  type Organisation,
  listOpdsQuery,
  getOrganisationQuery,
  opdCarriesBidangQuery,
  type Region,
  listRegionsQuery,
  getRegionQuery,
  type Account,
  getAccountQuery,
  accountHeadJsonQuery,
  type Nomenclature,
  getNomenclatureQuery,
  type CodeListOptions,
  listNomenclatureQuery,
  listAccountsQuery,
  type CodeName,
  listCodeNames,
} from './master-data.queries.ts';
export type { Lookup } from './resource-def.ts';
