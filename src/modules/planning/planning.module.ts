import { planningHome } from './home.pages.ts';
import type { ModuleManifest } from '../../core/module.ts';
import { planningMessages } from './messages.ts';
import { planningApi } from './planning.routes.ts';
import { plansPages } from './plans.pages.ts';
import { planElementPages } from './plan-elements.pages.ts';
import { annualPages } from './annual.pages.ts';
import { proposalsPages } from './proposals.pages.ts';
import { settingsPages } from './settings.pages.ts';
import { publicPages } from './public.pages.ts';
import { seedPlanningBase, seedPlanningDemo } from './seed.ts';
import { seedScalePlanning } from './seed.scale.ts';
import './planning.tables.ts';

export const planningModule: ModuleManifest = {
  name: 'planning',
  tablePrefix: 'pln_',
  migrations: new URL('./migrations/', import.meta.url),
  permissions: {
    // reading plans: every signed-in role (the plans are public documents)
    'planning.read': ['*'],
    'planning.rpjmd.write': ['bappeda'],
    'planning.renstra.write': ['bappeda', 'opd_operator', 'opd_head'],
    'planning.renstra.approve': ['bappeda'],
    'planning.indicator.write': ['bappeda', 'opd_operator', 'opd_head'],
    'planning.rkpd.write': ['bappeda'],
    'planning.renja.write': ['bappeda', 'opd_operator', 'opd_head'],
    'planning.renja.submit': ['opd_head'],
    'planning.renja.verify': ['bappeda'],
    // proposals: the services check the stage, region, OPD and member of each proposal
    'planning.proposal.read': [
      'admin',
      'bappeda',
      'tapd',
      'opd_operator',
      'opd_head',
      'dprd',
      'inspektorat',
      'kecamatan',
      'kelurahan',
    ],
    'planning.proposal.enter': ['kelurahan', 'kecamatan', 'bappeda'],
    // a citizen (anonymous request, public principal) submits a Musrenbang proposal with its photo
    'planning.proposal.citizen': ['public'],
    // Bappeda edits, maps and carries over any proposal, whatever its stage or region
    'planning.proposal.manage': ['bappeda'],
    'planning.proposal.decide': ['kelurahan', 'kecamatan', 'dprd', 'bappeda', 'opd_operator', 'opd_head', 'tapd'],
    // who decides at each stage of the chains (the service adds the scope: region, komisi, OPD)
    'planning.proposal.decide.kelurahan': ['kelurahan', 'kecamatan'],
    'planning.proposal.decide.kecamatan': ['kecamatan'],
    'planning.proposal.decide.dprd': ['dprd'],
    'planning.proposal.decide.bappeda': ['bappeda'],
    'planning.proposal.decide.opd': ['opd_operator', 'opd_head'],
    'planning.proposal.decide.tapd': ['tapd'],
    // defer an accepted proposal not yet in a Renja
    'planning.proposal.defer': ['tapd', 'bappeda'],
    'planning.proposal.map': ['kelurahan', 'kecamatan', 'bappeda', 'dprd'],
    'planning.proposal.renja': ['bappeda', 'opd_operator', 'opd_head'],
    // a DPRD member enters Pokir (a linked user of a DPRD member must hold it)
    'planning.pokir.enter': ['dprd'],
    // read every Pokir (OPD roles see only those mapped to their OPD)
    'planning.pokir.read': ['dprd', 'bappeda', 'tapd', 'inspektorat', 'admin'],
    'planning.settings': ['bappeda'],
    'planning.dprd.manage': ['bappeda', 'admin'],
  },
  messages: planningMessages,
  nav: [
    { label: 'pln.nav.planning', href: '/perencanaan', permission: 'planning.read', section: 'planning' },
    { label: 'pln.nav.renja', href: '/perencanaan/renja', permission: 'planning.renja.write', section: 'planning' },
    { label: 'pln.nav.musrenbang', href: '/musrenbang', permission: 'planning.proposal.read', section: 'planning' },
    { label: 'pln.nav.pokir', href: '/pokir', permission: 'planning.pokir.read', section: 'planning' },
  ],
  home: planningHome,
  routes: async (app, ctx) => {
    await planningApi(app, ctx);
    await plansPages(app, ctx);
    await planElementPages(app, ctx);
    await annualPages(app, ctx);
    await proposalsPages(app, ctx);
    await settingsPages(app, ctx);
    await publicPages(app, ctx);
  },
  seedBase: seedPlanningBase,
  seedDemo: seedPlanningDemo,
  seedScale: seedScalePlanning,
};
