// The standard price catalogue (SSH, HSPK, ASB, SBU): master data shared by every OPD, used by
// budgeting to price budget lines. Prices are versioned; OPD requests follow their own workflow.
import type { ModuleManifest } from '../../core/module.ts';
import { catalogueMessages } from './messages.ts';
import { catalogueApi } from './catalogue.routes.ts';
import { cataloguePages } from './catalogue.pages.ts';
import { importJobPages } from './import-jobs.pages.ts';
import { catalogueProposalPages } from './catalogue-proposals.pages.ts';
import { CAT_PERMISSIONS } from './permissions.ts';
import { seedDemoCatalogue } from './seed.ts';
import { seedScaleCatalogue } from './seed.scale.ts';
import './catalogue.tables.ts';

export const catalogueModule: ModuleManifest = {
  name: 'catalogue',
  tablePrefix: 'cat_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: CAT_PERMISSIONS,
  messages: catalogueMessages,
  nav: [
    { label: 'cat.nav', href: '/catalogue', permission: 'cat.read', section: 'budgeting' },
    { label: 'cat.proposals.nav', href: '/catalogue/proposals', permission: 'cat.read', section: 'budgeting' },
  ],
  routes: async (app, ctx) => {
    await catalogueApi(app, ctx);
    await cataloguePages(app, ctx);
    await importJobPages(app, ctx);
    await catalogueProposalPages(app, ctx);
  },
  seedDemo: seedDemoCatalogue,
  seedScale: seedScaleCatalogue,
};
