// Public surface of the catalogue module: the only file other modules import.
// A budget line keeps (itemId, version) of the PricedItem it was priced from; every version is an
// approved, immutable price, so getPriceVersion always answers what the line used.
export { catalogueModule } from './catalogue.module.ts';
export {
  findSbuRate,
  getCurrentPrice,
  currentPriceJson,
  pricedItemOf,
  getPriceVersion,
  listGrades,
  listProvinces,
  searchCatalogue,
  type CatalogueKind,
  type PricedItem,
  type SbuComponent,
  type SbuInfo,
  type SbuQuery,
  type SearchQuery,
} from './catalogue.service.ts';
export { importCatalogue, type ImportError, type ImportResult } from './import.ts';
export { listScaleItems, type ScaleItem } from './seed.scale.ts';
