// Annual plans' services, split by feature (this file re-exports them):
//   rkpd.service.ts            the RKPD (Pemda-wide) and its indicative ceilings per OPD and sub kegiatan
//   renja.service.ts           the Renja of each OPD and its consistency checks
//   renja-workflow.service.ts  draft → submitted (OPD) → verified → approved (Bappeda); what budgeting reads
export {
  rkpdCreateSchema,
  rkpdUpdateSchema,
  rkpdCeilingsSchema,
  getRkpd,
  listRkpd,
  rkpdOverview,
  createRkpd,
  updateRkpd,
  setRkpdCeilings,
  approveRkpd,
} from './rkpd.service.ts';
export {
  getRenja,
  renjaOf,
  opdOfRenja,
  opdOfRenjaItem,
  listRenja,
  renjaItems,
  renjaCreateSchema,
  createRenja,
  renjaItemCreateSchema,
  renjaItemUpdateSchema,
  lockDraftRenja,
  addRenjaItem,
  addItemsFromRenstra,
  updateRenjaItem,
  deleteRenjaItem,
  type Check,
  renjaChecks,
} from './renja.service.ts';
export {
  submitRenja,
  verifyRenja,
  returnRenja,
  reviseRenja,
  pokirWindowOpen,
  approveRenja,
  renjaFinalised,
  type RenjaItemRef,
  getApprovedRenjaItem,
  listApprovedRenjaItems,
  rkpdIndicativeCeilings,
} from './renja-workflow.service.ts';
