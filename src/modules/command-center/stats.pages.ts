// The map without tiles (SVG from the kecamatan boundary file, incidents coloured by category and
// status, live), statistics with a table under every chart and CSV, and Bappeda's hot spots.
import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import { stringify } from 'csv-stringify/sync';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { fieldError } from '../../core/errors.ts';
import { lastEventId } from '../../core/events/events.ts';
import { formatNumber } from '../../core/i18n/i18n.ts';
import { ccScript, liveRegion } from './ops.pages.ts';
import { fit, pathOf, centreOf } from './geo.ts';
import { loadKecamatanGeoJson } from './seed.ts';
import * as st from './stats.service.ts';
import { qs, when } from './ui.ts';

const hide = { hide: true } as const;
const css = fs.readFileSync(new URL('./static/cc.css', import.meta.url));
export const ccStyle = html`<link rel="stylesheet" href="/command-center/static/cc.css">`;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const periodQ = z.object({
  ok: z.string().max(40).optional(),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  days: intIn(z.number().int().min(1).max(366).optional()),
  csv: z.enum(['response', 'category', 'kecamatan', 'opd', 'day']).optional(),
});

/** The period asked for: from/to dates (to inclusive), or the last `days` days (28 by default). */
export function periodOf(q: { from?: string; to?: string; days?: number }, defaultDays = 28): st.Period {
  if (q.from || q.to) {
    if (q.from && !DATE_RE.test(q.from)) throw fieldError('from', 'cc.error.date');
    if (q.to && !DATE_RE.test(q.to)) throw fieldError('to', 'cc.error.date');
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : new Date();
    if (q.to) to.setUTCDate(to.getUTCDate() + 1);
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - defaultDays * 86_400_000);
    if (Number.isNaN(+from) || Number.isNaN(+to) || from >= to) throw fieldError('from', 'cc.error.date');
    return { from, to };
  }
  const to = new Date();
  return { from: new Date(to.getTime() - (q.days ?? defaultDays) * 86_400_000), to };
}

const CATEGORY_CLASS = (code: string) => `cat-${code.toLowerCase()}`;

function bars(req: FastifyRequest, rows: st.CountRow[], caption: string): Html {
  const max = Math.max(1, ...rows.map((r) => r.n));
  const h = 18;
  return html`<figure class="cc-chart"><figcaption>${caption}</figcaption>
<svg viewBox="0 0 400 ${rows.length * h + 4}" width="100%" role="img" aria-label="${caption}">${rows.map(
    (r, i) =>
      html`<g><text x="0" y="${i * h + 13}" class="cc-bar-label">${r.label.slice(0, 28)}</text><rect x="170" y="${i * h + 3}" height="${h - 6}" width="${Math.max(1, Math.round((r.n / max) * 200))}" class="cc-bar"></rect><text x="${176 + Math.round((r.n / max) * 200)}" y="${i * h + 13}" class="cc-bar-value">${r.n}</text></g>`,
  )}</svg>
<table class="table"><thead><tr><th></th><th class="num">${tr(req, 'cc.stats.incidents')}</th><th class="num">${tr(req, 'cc.stats.closed')}</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.label}</td><td class="num">${formatNumber(req.lang, r.n)}</td><td class="num">${formatNumber(req.lang, r.closed)}</td></tr>`,
  )}</tbody></table></figure>`;
}

const num = (req: FastifyRequest, v: string | null) => (v === null ? '—' : req.lang === 'id' ? v.replace('.', ',') : v);
const over = (v: string | null, target: number) => v !== null && Number(v) > target;

export async function statsPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db, config } = ctx;

  app.get('/command-center/static/cc.css', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  // ---- map -------------------------------------------------------------------------------------------------
  const mapBody = async (req: FastifyRequest, period: st.Period) => {
    const geo = loadKecamatanGeoJson();
    const p = fit(geo.features, 720);
    const points = await st.mapPoints(db, req.principal!, period);
    const cats = [
      ...new Map(points.map((x) => [x.category_code, req.lang === 'en' ? x.name_en : x.name_id])).entries(),
    ].sort();
    return html`<svg class="cc-map" viewBox="0 0 ${p.width} ${p.height}" width="100%" role="group" aria-label="${tr(req, 'cc.nav.map')}">
${geo.features.map((f) => {
  const [x, y] = p.xy(...centreOf(f));
  return html`<path d="${pathOf(f, p)}" class="cc-kec"><title>${f.properties.nama}</title></path><text x="${x}" y="${y}" class="cc-kec-label">${f.properties.nama}</text>`;
})}
${points.map((x) => {
  const [cx, cy] = p.xy(Number(x.lon), Number(x.lat));
  return html`<a href="/command-center/incidents/${x.id}"><circle cx="${cx}" cy="${cy}" r="${x.status === 'closed' ? 3.5 : 6}" class="cc-pt ${CATEGORY_CLASS(x.category_code)} st-${x.status}"><title>#${x.id} ${req.lang === 'en' ? x.name_en : x.name_id} · ${tr(req, `cc.istatus.${x.status}`)} · ${when(req, x.received_at)}</title></circle></a>`;
})}
</svg>
<ul class="cc-legend">${cats.map(([code, name]) => html`<li><svg width="12" height="12"><circle cx="6" cy="6" r="5" class="cc-pt ${CATEGORY_CLASS(code)}"></circle></svg> ${name}</li>`)}
<li><svg width="12" height="12"><circle cx="6" cy="6" r="5" class="cc-pt st-open"></circle></svg> ${tr(req, 'cc.map.active')}</li><li><svg width="12" height="12"><circle cx="6" cy="6" r="3" class="cc-pt st-closed"></circle></svg> ${tr(req, 'cc.istatus.closed')}</li></ul>
<p class="muted">${tr(req, 'cc.map.count', { n: points.length })}</p>`;
  };
  const mapQ = z.object({ days: intIn(z.number().int().min(1).max(366).optional()) });
  app.get(
    '/command-center/map',
    { config: { auth: { permission: 'cc.read' } }, schema: { ...hide, querystring: mapQ } },
    async (req, reply) => {
      const days = req.query.days ?? 7;
      const after = await lastEventId(db, req.principal!.pemdaId);
      const body = html`${ccStyle}<form method="get" class="form inline"><label>${tr(req, 'cc.map.days')}<select name="days">${[1, 7, 28, 90].map((d) => html`<option value="${d}" ${d === days ? 'selected' : ''}>${d}</option>`)}</select></label><button>OK</button></form>
${liveRegion('cc-map', '/command-center/live/ops', `/command-center/fragments/map?days=${days}`, after, await mapBody(req, periodOf({ days })))}${ccScript}`;
      return sendPage(req, reply, { title: tr(req, 'cc.nav.map'), body });
    },
  );
  app.get(
    '/command-center/fragments/map',
    { config: { auth: { permission: 'cc.read' } }, schema: { ...hide, querystring: mapQ } },
    async (req, reply) => sendFragment(reply, await mapBody(req, periodOf({ days: req.query.days ?? 7 }))),
  );

  // ---- statistics ------------------------------------------------------------------------------------------
  app.get(
    '/command-center/stats',
    { config: { auth: { permission: 'cc.stats' } }, schema: { ...hide, querystring: periodQ } },
    async (req, reply) => {
      const period = periodOf(req.query);
      const lang = req.lang === 'en' ? 'en' : 'id';
      const s = await st.statistics(db, req.principal!, period, lang, config.timeZone);
      if (req.query.csv) {
        const name = `statistik-kejadian-${req.query.csv}.csv`;
        let rows: unknown[][];
        if (req.query.csv === 'response') {
          rows = [
            [
              'opd',
              'kategori',
              'jumlah',
              'diteruskan_p50_mnt',
              'diteruskan_p90_mnt',
              'target_diteruskan_mnt',
              'tiba_p50_mnt',
              'tiba_p90_mnt',
              'target_tiba_mnt',
              'tiba_tepat_waktu_pct',
              'selesai_p50_mnt',
              'selesai_p90_mnt',
              'target_selesai_mnt',
            ],
            ...s.response.map((r) => [
              r.opd,
              r.category_code,
              r.n,
              r.dispatch_p50,
              r.dispatch_p90,
              r.dispatch_min,
              r.arrive_p50,
              r.arrive_p90,
              r.arrive_min,
              r.arrive_ok_pct,
              r.resolve_p50,
              r.resolve_p90,
              r.resolve_min,
            ]),
          ];
        } else {
          const src = { category: s.byCategory, kecamatan: s.byKecamatan, opd: s.byOpd, day: s.byDay }[req.query.csv];
          rows = [[req.query.csv, 'jumlah', 'selesai'], ...src.map((r) => [r.label, r.n, r.closed])];
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(stringify(rows.map((r) => r.map((v) => (typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : v)))));
      }
      const iso = (d: Date) => d.toISOString().slice(0, 10);
      const toIncl = new Date(period.to.getTime() - 86_400_000);
      const csvLink = (k: string) => `/command-center/stats?${qs({ from: iso(period.from), to: iso(toIncl), csv: k })}`;
      const body = html`${ccStyle}<form method="get" class="form inline"><label>${tr(req, 'cc.stats.from')}<input type="date" name="from" value="${iso(period.from)}"></label><label>${tr(req, 'cc.stats.to')}<input type="date" name="to" value="${iso(toIncl)}"></label><button>OK</button></form>
<p>${tr(req, 'cc.stats.total', { n: formatNumber(req.lang, s.total) })}${s.opdOnly !== null ? html` <span class="muted">${tr(req, 'cc.stats.own_opd')}</span>` : ''}</p>
<h2>${tr(req, 'cc.stats.response')} <a class="small" href="${csvLink('response')}">CSV</a></h2>
<p class="muted">${tr(req, 'cc.stats.response_hint')}</p>
<table class="table cc-response"><thead><tr><th>${tr(req, 'cc.field.opd')}</th><th>${tr(req, 'cc.field.category')}</th><th class="num">n</th><th class="num">${tr(req, 'cc.timer.dispatch')} p50 / p90 (${tr(req, 'cc.stats.target')})</th><th class="num">${tr(req, 'cc.timer.arrive')} p50 / p90 (${tr(req, 'cc.stats.target')})</th><th class="num">${tr(req, 'cc.stats.on_time')}</th><th class="num">${tr(req, 'cc.timer.resolve')} p50 / p90 (${tr(req, 'cc.stats.target')})</th></tr></thead><tbody>${s.response.map(
        (r) =>
          html`<tr><td>${r.opd}</td><td>${r.category}</td><td class="num">${r.n}</td><td class="num ${over(r.dispatch_p90, r.dispatch_min) ? 'cc-over' : ''}">${num(req, r.dispatch_p50)} / ${num(req, r.dispatch_p90)} (${r.dispatch_min})</td><td class="num ${over(r.arrive_p90, r.arrive_min) ? 'cc-over' : ''}">${num(req, r.arrive_p50)} / ${num(req, r.arrive_p90)} (${r.arrive_min})</td><td class="num">${r.arrive_ok_pct === null ? '—' : `${num(req, r.arrive_ok_pct)} %`}</td><td class="num ${over(r.resolve_p90, r.resolve_min) ? 'cc-over' : ''}">${num(req, r.resolve_p50)} / ${num(req, r.resolve_p90)} (${r.resolve_min})</td></tr>`,
      )}</tbody></table>
<div class="cards">
<div class="card">${bars(req, s.byCategory, tr(req, 'cc.stats.by_category'))}<a href="${csvLink('category')}">CSV</a></div>
<div class="card">${bars(req, s.byKecamatan, tr(req, 'cc.stats.by_kecamatan'))}<a href="${csvLink('kecamatan')}">CSV</a></div>
<div class="card">${bars(req, s.byOpd, tr(req, 'cc.stats.by_opd'))}<a href="${csvLink('opd')}">CSV</a></div>
<div class="card">${bars(req, s.byDay, tr(req, 'cc.stats.by_day'))}<a href="${csvLink('day')}">CSV</a></div>
</div>`;
      return sendPage(req, reply, { title: tr(req, 'cc.nav.stats'), body });
    },
  );

  // ---- hot spots (Bappeda) ---------------------------------------------------------------------------------
  app.get(
    '/command-center/hotspots',
    { config: { auth: { permission: 'cc.hotspots' } }, schema: { ...hide, querystring: periodQ } },
    async (req, reply) => {
      const period = periodOf(req.query, 365);
      const rows = await st.hotSpots(db, req.principal!, period, req.lang === 'en' ? 'en' : 'id');
      const body = html`<p>${tr(req, 'cc.hot.intro')}</p>
${
  rows.length === 0
    ? html`<p class="muted">${tr(req, 'cc.hot.none')}</p>`
    : html`<table class="table cc-hotspots"><thead><tr><th>${tr(req, 'cc.field.location')}</th><th>${tr(req, 'cc.field.category')}</th><th class="num">${tr(req, 'cc.stats.incidents')}</th><th>${tr(req, 'cc.hot.span')}</th><th>${tr(req, 'cc.hot.evidence')}</th><th>${tr(req, 'cc.hot.proposal')}</th></tr></thead><tbody>${rows.map(
        (h) =>
          html`<tr><td>${h.kelurahan ? `${h.kelurahan}, ` : ''}${h.kecamatan}</td><td>${h.category}</td><td class="num">${h.n}</td><td>${when(req, h.first)} – ${when(req, h.last)}</td><td>${h.incident_ids.slice(0, 12).map((id) => html`<a href="/command-center/incidents/${id}">#${id}</a> `)}${h.incident_ids.length > 12 ? '…' : ''}</td><td>${
            h.proposal
              ? html`<a class="cc-proposal" href="/lacak?${qs({ kode: h.proposal })}">${h.proposal}</a>`
              : html`<form method="post" action="/command-center/hotspots/propose" class="form inline cc-raise" data-confirm="${tr(req, 'cc.hot.raise_confirm')}">${csrfField(req)}<input type="hidden" name="category_code" value="${h.category_code}"><input type="hidden" name="kecamatan_id" value="${h.kecamatan_id}"><input type="hidden" name="kelurahan_id" value="${h.kelurahan_id ?? ''}"><label>${tr(req, 'cc.hot.title')}<input name="title" required value="${tr(req, 'cc.hot.default_title', { category: h.category, place: h.kelurahan ?? h.kecamatan })}"></label><label>${tr(req, 'cc.hot.cost')}<input name="estimated_cost" inputmode="numeric" required placeholder="500.000.000"></label><button>${tr(req, 'cc.hot.raise')}</button></form>`
          }</td></tr>`,
      )}</tbody></table>`
}`;
      const ok = (req.query as { ok?: string }).ok;
      return sendPage(req, reply, {
        title: tr(req, 'cc.nav.hotspots'),
        body,
        notice: ok && /^[A-Z0-9-]{6,30}$/.test(ok) ? tr(req, 'cc.hot.raised', { code: ok }) : undefined,
      });
    },
  );
  app.post(
    '/command-center/hotspots/propose',
    { config: { auth: { permission: 'cc.hotspots' } }, schema: { ...hide, body: z.record(z.string(), z.unknown()) } },
    async (req, reply) => {
      const b = req.body as Record<string, unknown>;
      const v = raiseIn.parse(b);
      const code = await st.raiseFromHotspot(
        db,
        req.principal!,
        { ...v, kelurahan_id: v.kelurahan_id ?? null, volume: '1', unit: 'Paket' },
        req.lang === 'en' ? 'en' : 'id',
        `${req.protocol}://${req.host}`,
      );
      return reply.redirect(`/command-center/hotspots?ok=${encodeURIComponent(code)}`, 303);
    },
  );
}

const raiseIn = z.object({
  category_code: z.string().regex(/^[A-Z0-9]{2,10}$/, { error: 'cc.error.hotspot' }),
  kecamatan_id: intIn(z.number({ error: 'cc.error.hotspot' }).int().positive()),
  kelurahan_id: z.preprocess((v) => (v === '' ? undefined : v), intIn(z.number().int().positive().optional())),
  title: z
    .string({ error: 'cc.error.hot_title' })
    .trim()
    .min(3, { error: 'cc.error.hot_title' })
    .max(300, { error: 'cc.error.hot_title' }),
  estimated_cost: z
    .string({ error: 'cc.error.hot_cost' })
    .trim()
    .min(1, { error: 'cc.error.hot_cost' })
    .max(40, { error: 'cc.error.hot_cost' }),
});
