// e-Controlling: realisation (SP2D) against the DPA, physical progress, deviations and early
// warnings, the absorption dashboard, procurement packages and risk signals.
import type { ModuleManifest } from '../../core/module.ts';
import { controllingMessages } from './messages.ts';
import { CTL_PERMISSIONS } from './permissions.ts';
import { controllingApi } from './controlling.routes.ts';
import { controllingPages } from './controlling.pages.ts';
import { riskRoutes } from './risk.routes.ts';
import { packagePages } from './packages.pages.ts';
import { packageFormMessages } from './messages.packages.ts';
import { seedDemoControlling } from './seed.ts';
import './controlling.tables.ts';

export const controllingModule: ModuleManifest = {
  name: 'controlling',
  tablePrefix: 'ctl_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: CTL_PERMISSIONS,
  messages: {
    id: { ...controllingMessages.id, ...packageFormMessages.id },
    en: { ...controllingMessages.en, ...packageFormMessages.en },
  },
  nav: [
    { label: 'ctl.nav.dashboard', href: '/controlling', permission: 'ctl.read', section: 'controlling' },
    { label: 'ctl.nav.realisation', href: '/controlling/realisation', permission: 'ctl.read', section: 'controlling' },
    { label: 'ctl.nav.progress', href: '/controlling/progress', permission: 'ctl.read', section: 'controlling' },
    { label: 'ctl.nav.packages', href: '/controlling/packages', permission: 'ctl.read', section: 'controlling' },
    { label: 'ctl.nav.risk', href: '/controlling/risk', permission: 'ctl.risk.read', section: 'controlling' },
  ],
  routes: async (app, ctx) => {
    await controllingApi(app, ctx);
    await controllingPages(app, ctx);
    await riskRoutes(app, ctx);
    await packagePages(app, ctx);
  },
  seedDemo: seedDemoControlling,
};
