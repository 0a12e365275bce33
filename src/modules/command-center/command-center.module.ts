import type { ModuleManifest } from '../../core/module.ts';
import { ccMessages } from './messages.ts';
import { ccApi } from './cc.routes.ts';
import { opsPages } from './ops.pages.ts';
import { unitPages } from './unit.pages.ts';
import { livePages } from './live.routes.ts';
import { publicPages } from './public.pages.ts';
import { open311Routes } from './open311.routes.ts';
import { alertPages } from './alerts.pages.ts';
import { statsPages } from './stats.pages.ts';
import { categoryRoutes } from './categories.routes.ts';
import { seedCommandCenterBase, seedCommandCenterDemo } from './seed.ts';
import './cc.tables.ts';

export const commandCenterModule: ModuleManifest = {
  name: 'command-center',
  tablePrefix: 'cc_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: {
    // the call-taker's intake, dispatch and merge
    'cc.intake': ['cc_operator'],
    'cc.dispatch': ['cc_operator'],
    // the operations room: every incident with its callers
    'cc.read': ['cc_operator', 'admin', 'inspektorat'],
    // one incident: the room, a unit for an incident assigned to its OPD (checked in the service), or
    // Bappeda reading the evidence of a hot spot (without callers' contacts)
    'cc.incident.view': ['cc_operator', 'admin', 'inspektorat', 'cc_unit', 'bappeda'],
    // a unit's queue and its steps (cc_unit is OPD-scoped: its own OPD only)
    'cc.queue': ['cc_unit', 'cc_operator'],
    'cc.assignment.move': ['cc_unit', 'cc_operator'],
    'cc.supervise': ['cc_operator', 'admin'],
    'cc.settings': ['admin'],
    // statistics: an OPD head sees the figures of its own OPD
    'cc.stats': ['cc_operator', 'admin', 'inspektorat', 'bappeda', 'opd_head'],
    'cc.alert.publish': ['cc_operator'],
    'cc.open311.keys': ['admin'],
    'cc.hotspots': ['bappeda', 'admin'],
    // a citizen's report: the public form (anonymous, the public principal) and Open311 clients
    // (a system principal named after the client application, role admin)
    'cc.report.citizen': ['public', 'admin'],
  },
  messages: ccMessages,
  nav: [
    { label: 'cc.nav.room', href: '/command-center', permission: 'cc.read', section: 'command' },
    { label: 'cc.nav.intake', href: '/command-center/intake', permission: 'cc.intake', section: 'command' },
    { label: 'cc.nav.unit', href: '/command-center/unit', permission: 'cc.queue', section: 'command' },
    { label: 'cc.nav.supervisor', href: '/command-center/supervisor', permission: 'cc.supervise', section: 'command' },
    { label: 'cc.nav.map', href: '/command-center/map', permission: 'cc.read', section: 'command' },
    { label: 'cc.nav.stats', href: '/command-center/stats', permission: 'cc.stats', section: 'command' },
    { label: 'cc.nav.alerts', href: '/command-center/alerts', permission: 'cc.alert.publish', section: 'command' },
    {
      label: 'cc.nav.open311',
      href: '/command-center/open311-clients',
      permission: 'cc.open311.keys',
      section: 'command',
    },
    { label: 'cc.nav.categories', href: '/command-center/categories', permission: 'cc.settings', section: 'command' },
    { label: 'cc.nav.hotspots', href: '/command-center/hotspots', permission: 'cc.hotspots', section: 'planning' },
  ],
  routes: async (app, ctx) => {
    await ccApi(app, ctx);
    await opsPages(app, ctx);
    await unitPages(app, ctx);
    await livePages(app, ctx);
    await publicPages(app, ctx);
    await open311Routes(app, ctx);
    await alertPages(app, ctx);
    await statsPages(app, ctx);
    await categoryRoutes(app, ctx);
  },
  seedBase: seedCommandCenterBase,
  seedDemo: seedCommandCenterDemo,
};
