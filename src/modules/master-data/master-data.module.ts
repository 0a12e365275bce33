// The master-data module: data shared by every OPD of a Pemda (organisations, nomenclature,
// chart of accounts, regions, funding sources, units of measure).
import type { ModuleManifest } from '../../core/module.ts';
import { masterDataMessages } from './messages.ts';
import { masterDataApi } from './master-data.routes.ts';
import { masterDataPages } from './master-data.pages.ts';
import { PERMISSIONS } from './resources.ts';
import { seedBase, seedDemo } from './seed.ts';
import { seedScaleMasterData } from './seed.scale.ts';
import './master-data.tables.ts';

export const masterDataModule: ModuleManifest = {
  name: 'master-data',
  tablePrefix: 'md_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: PERMISSIONS,
  messages: masterDataMessages,
  nav: [{ label: 'md.nav', href: '/master-data', permission: 'md.read', section: 'master' }],
  routes: async (app, ctx) => {
    await masterDataApi(app, ctx);
    await masterDataPages(app, ctx);
  },
  seedBase,
  seedDemo,
  seedScale: seedScaleMasterData,
};
