// The public transparency portal: the approved APBD with drill-down and search, realisation,
// Musrenbang/Pokir outcomes, open data downloads (CSV, JSON, Fiscal Data Package) and the trace
// from a proposal to the money spent. No tables of its own: it reads budgeting, planning and
// controlling through their index.ts, their public views only.
import type { ModuleManifest } from '../../core/module.ts';
import { transparencyMessages } from './messages.ts';
import { portalPages } from './portal.pages.ts';
import { portalData } from './portal.data.ts';
import { tracePages } from './trace.pages.ts';
import { transparencyInternalMessages as internal } from './messages.internal.ts';
import { TP_PERMISSIONS } from './permissions.ts';
import { coveragePages } from './coverage.pages.ts';
import { traceInternalPages } from './trace.internal.pages.ts';

export const transparencyModule: ModuleManifest = {
  name: 'transparency',
  tablePrefix: 'tp_',
  messages: {
    id: { ...transparencyMessages.id, ...internal.id },
    en: { ...transparencyMessages.en, ...internal.en },
  },
  // internal pages: the coverage report and the trace over everything (drafts included)
  permissions: TP_PERMISSIONS,
  nav: [{ label: 'tp.nav.coverage', href: '/trace/coverage', permission: 'tp.coverage.read', section: 'controlling' }],
  routes: async (app, ctx) => {
    // cacheable responses carry no per-visitor cookie (the pre-log-in CSRF cookie is set for every
    // anonymous request; the portal has no form that needs it)
    app.addHook('onSend', async (_req, reply, payload) => {
      if (!String(reply.getHeader('cache-control') ?? '').startsWith('public')) return payload;
      const cookies = [reply.getHeader('set-cookie') ?? []].flat().map(String);
      const keep = cookies.filter((c) => !c.startsWith('padu_csrf='));
      if (keep.length) reply.header('set-cookie', keep);
      else reply.removeHeader('set-cookie');
      return payload;
    });
    await portalPages(app, ctx);
    await portalData(app, ctx);
    await tracePages(app, ctx);
    await coveragePages(app, ctx);
    await traceInternalPages(app, ctx);
  },
};
