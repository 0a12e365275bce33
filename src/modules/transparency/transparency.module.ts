// The public transparency portal: the approved APBD with drill-down and search, realisation,
// Musrenbang/Pokir outcomes, open data downloads (CSV, JSON, Fiscal Data Package) and the trace
// from a proposal to the money spent. No tables of its own: it reads budgeting, planning and
// controlling through their index.ts, their public views only.
import type { ModuleManifest } from '../../core/module.ts';
import { transparencyMessages } from './messages.ts';
import { portalPages } from './portal.pages.ts';
import { portalData } from './portal.data.ts';
import { tracePages } from './trace.pages.ts';

export const transparencyModule: ModuleManifest = {
  name: 'transparency',
  tablePrefix: 'tp_',
  messages: transparencyMessages,
  routes: async (app, ctx) => {
    await portalPages(app, ctx);
    await portalData(app, ctx);
    await tracePages(app, ctx);
  },
};
