// e-Budgeting: fiscal years and stages, ceilings (pagu), the RKA-SKPD priced from the standard
// catalogue, official travel from SBU, the TAPD workflow, prints and exports.
import type { ModuleManifest } from '../../core/module.ts';
import { budgetingMessages } from './messages.ts';
import { BUD_PERMISSIONS } from './policy.ts';
import { budgetingApi } from './budgeting.routes.ts';
import { budgetingPages } from './budgeting.pages.ts';
import { queuePages } from './queue.pages.ts';
import { budgetingHome } from './home.pages.ts';
import { seedDemoBudget } from './seed.ts';
import { seedScaleBudget } from './seed.scale.ts';
import './budgeting.tables.ts';
import { apbdRoutes } from './apbd/apbd.routes.ts';
import { apbdMessages } from './apbd/messages.ts';
import { APBD_PERMISSIONS } from './apbd/policy.ts';
import { seedFunctions } from './apbd/functions.ts';

export const budgetingModule: ModuleManifest = {
  name: 'budgeting',
  tablePrefix: 'bud_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: { ...BUD_PERMISSIONS, ...APBD_PERMISSIONS },
  messages: {
    id: { ...budgetingMessages.id, ...apbdMessages.id },
    en: { ...budgetingMessages.en, ...apbdMessages.en },
  },
  nav: [
    { label: 'bud.nav.overview', href: '/budget', permission: 'bud.read', section: 'budgeting' },
    { label: 'bud.nav.queue', href: '/budget/queue', permission: 'bud.verify', section: 'budgeting' },
    { label: 'bud.nav.review', href: '/budget/review', permission: 'bud.verify', section: 'budgeting' },
    { label: 'bud.nav.stages', href: '/budget/stages', permission: 'bud.stage.manage', section: 'budgeting' },
    { label: 'bud.nav.apbd', href: '/budget/apbd', permission: 'bud.read', section: 'budgeting' },
    {
      label: 'bud.nav.notifications',
      href: '/budget/notifications',
      permission: 'bud.notifications',
      section: 'budgeting',
    },
  ],
  home: budgetingHome,
  routes: async (app, ctx) => {
    await budgetingApi(app, ctx);
    await budgetingPages(app, ctx);
    await queuePages(app, ctx);
    await apbdRoutes(app, ctx);
  },
  seedBase: seedFunctions,
  seedDemo: seedDemoBudget,
  seedScale: seedScaleBudget,
};
