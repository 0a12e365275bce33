// Public surface of the controlling module: the only file other modules import.
export { controllingModule } from './controlling.module.ts';
export { dashboard, subStatuses, reportingMonth, type SubStatus, type Figure } from './monitor.service.ts';
export { getPackages, ocdsReleasePackage, type PackageOut } from './packages.service.ts';
export {
  listRealisation,
  realisationOf,
  realisationTotals,
  sp2dRows,
  type RealisationRow,
} from './realisation.service.ts';
