// The operations room: the live list of incidents, the call-taker's one-screen intake (duplicates
// shown before saving), one incident with dispatch and merge, the supervisor's breaches.
import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { can } from '../../core/auth/policy.ts';
import { lastEventId } from '../../core/events/events.ts';
import { listOpds, listRegions, type Region } from '../master-data/index.ts';
import { intakeIn, dispatchIn, mergeIn } from './cc.schema.ts';
import * as inc from './incidents.service.ts';
import * as q from './queries.service.ts';
import {
  assignmentBadge,
  errorBox,
  errorsOf,
  fieldErr,
  formBody,
  incidentBadge,
  priorityBadge,
  qs,
  seeOther,
  statusOf,
  timerChips,
  when,
  type Errors,
} from './ui.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());
const idParam = z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) });
const lang = (req: FastifyRequest) => (req.lang === 'en' ? 'en' : 'id') as 'id' | 'en';

const script = fs.readFileSync(new URL('./static/cc.js', import.meta.url));

/** A live region: cc.js opens the event stream and reloads the fragment on each event. */
export function liveRegion(id: string, stream: string, fragment: string, after: string, body: Html): Html {
  const sep = stream.includes('?') ? '&' : '?';
  return html`<div id="${id}" class="cc-live" data-live="${stream}${sep}after=${after}" data-refresh="${fragment}">${body}</div>`;
}

export const ccScript = html`<script src="/command-center/static/cc.js" defer></script>`;

export function incidentTable(req: FastifyRequest, rows: q.IncidentView[], empty: string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table class="table cc-incidents"><thead><tr><th>#</th><th>${tr(req, 'cc.field.priority')}</th><th>${tr(req, 'cc.field.category')}</th><th>${tr(req, 'cc.field.location')}</th><th>${tr(req, 'cc.field.received')}</th><th>${tr(req, 'cc.field.status')}</th><th>${tr(req, 'cc.field.units')}</th><th>${tr(req, 'cc.field.timers')}</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr class="${r.breached && r.status !== 'closed' ? 'cc-row-breach' : ''}" data-incident="${r.id}"><td><a href="/command-center/incidents/${r.id}">#${r.id}</a></td><td>${priorityBadge(req, r.priority)}</td><td>${r.category_name}</td><td>${r.kelurahan ? `${r.kelurahan}, ` : ''}${r.kecamatan}</td><td>${when(req, r.received_at)}</td><td>${incidentBadge(req, r.status)}</td><td class="cc-units">${(
        r.opds ?? ''
      )
        .split(' ')
        .filter(Boolean)
        .map((x) => {
          const [opd, s] = x.split(':');
          return html`<span class="cc-unit">${opd} ${assignmentBadge(req, s!)}</span> `;
        })}</td><td>${timerChips(req, r.timers)}</td></tr>`,
  )}</tbody></table>`;
}

export async function opsPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  app.get('/command-center/static/cc.js', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script),
  );

  // ---- the room ------------------------------------------------------------------------------------------
  const roomBody = async (req: FastifyRequest) => {
    const p = req.principal!;
    const [active, closed] = await Promise.all([
      q.listIncidents(db, p, { status: 'active', lang: lang(req) }),
      q.listIncidents(db, p, { status: 'closed', limit: 10, lang: lang(req) }),
    ]);
    const nBreach = active.filter((r) => r.breached).length;
    return html`<p class="cc-summary">${nBreach ? (can(p, 'cc.supervise') ? html`<a class="badge err" href="/command-center/supervisor">${tr(req, 'cc.room.breaches', { n: nBreach })}</a>` : html`<span class="badge err">${tr(req, 'cc.room.breaches', { n: nBreach })}</span>`) : ''}</p>
<h2>${tr(req, 'cc.room.active')} (${active.length})</h2>${incidentTable(req, active, tr(req, 'cc.room.none'))}
<h2>${tr(req, 'cc.room.closed')}</h2>${incidentTable(req, closed, '—')}`;
  };
  app.get('/command-center', { config: { auth: { permission: 'cc.read' } }, schema: hide }, async (req, reply) => {
    const after = await lastEventId(db, req.principal!.pemdaId);
    const body = html`<p class="actions">${can(req.principal, 'cc.intake') ? html`<a class="button" href="/command-center/intake" accesskey="n">${tr(req, 'cc.nav.intake')}</a>` : ''} <a href="/command-center/map">${tr(req, 'cc.nav.map')}</a> · <a href="/command-center/stats">${tr(req, 'cc.nav.stats')}</a> <span class="cc-live-flag" aria-live="polite">${tr(req, 'cc.room.live')}</span></p>
${liveRegion('cc-room', '/command-center/live/ops', '/command-center/fragments/room', after, await roomBody(req))}${ccScript}`;
    return sendPage(req, reply, { title: tr(req, 'cc.room.title'), body });
  });
  app.get(
    '/command-center/fragments/room',
    { config: { auth: { permission: 'cc.read' } }, schema: hide },
    async (req, reply) => sendFragment(reply, await roomBody(req)),
  );

  // ---- intake --------------------------------------------------------------------------------------------
  const intakeForm = async (
    req: FastifyRequest,
    values: Record<string, unknown> = {},
    e?: { errors: Errors; message: string } | null,
    dups?: inc.DuplicateCandidate[],
  ) => {
    const pemdaId = req.principal!.pemdaId;
    const [cats, regions] = await Promise.all([inc.listCategories(db, pemdaId), listRegions(db, pemdaId)]);
    const v = (k: string) => String(values[k] ?? '');
    const kecs = regions.filter((r) => r.kind === 'kecamatan');
    const err = e?.errors;
    const catName = (c: inc.Category) => (req.lang === 'en' ? c.name_en : c.name_id);
    return html`<form method="post" action="/command-center/intake" class="form cc-intake" id="cc-intake" data-dups="/command-center/intake/duplicates">${csrfField(req)}${errorBox(e)}
<p class="muted">${tr(req, 'cc.intake.hint')}</p>
<div class="grid">
<label>${tr(req, 'cc.field.reporter_phone')}<input name="reporter_phone" type="tel" autofocus autocomplete="off" value="${v('reporter_phone')}">${fieldErr(err, 'reporter_phone')}</label>
<label>${tr(req, 'cc.field.reporter_name')}<input name="reporter_name" autocomplete="off" value="${v('reporter_name')}">${fieldErr(err, 'reporter_name')}</label>
<label>${tr(req, 'cc.field.category')}<select name="category_id" required><option value="">—</option>${cats.map(
      (c) =>
        html`<option value="${c.id}" data-priority="${c.priority}" ${String(c.id) === v('category_id') ? 'selected' : ''}>${c.code} · ${catName(c)}</option>`,
    )}</select>${fieldErr(err, 'category_id')}</label>
<label>${tr(req, 'cc.field.priority')}<select name="priority"><option value="">${tr(req, 'cc.field.category')} →</option>${[
      1, 2, 3, 4,
    ].map(
      (p) =>
        html`<option value="${p}" ${String(p) === v('priority') ? 'selected' : ''}>${p} ${tr(req, `cc.priority.${p}`)}</option>`,
    )}</select>${fieldErr(err, 'priority')}</label>
<label>${tr(req, 'cc.field.kecamatan')}<select name="kecamatan_id" required><option value="">—</option>${kecs.map(
      (k) => html`<option value="${k.id}" ${String(k.id) === v('kecamatan_id') ? 'selected' : ''}>${k.name}</option>`,
    )}</select>${fieldErr(err, 'kecamatan_id')}</label>
<label>${tr(req, 'cc.field.kelurahan')}<select name="kelurahan_id"><option value="">—</option>${kecs.map(
      (k) =>
        html`<optgroup label="${k.name}" data-kec="${k.id}">${regions
          .filter((r: Region) => r.parentId === k.id)
          .map(
            (r) =>
              html`<option value="${r.id}" data-kec="${k.id}" ${String(r.id) === v('kelurahan_id') ? 'selected' : ''}>${r.name}</option>`,
          )}</optgroup>`,
    )}</select>${fieldErr(err, 'kelurahan_id')}</label>
<label class="wide">${tr(req, 'cc.field.address')}<input name="address" value="${v('address')}">${fieldErr(err, 'address')}</label>
<label>${tr(req, 'cc.field.lat')}<input name="lat" inputmode="decimal" placeholder="-3,3194" value="${v('lat')}">${fieldErr(err, 'lat')}</label>
<label>${tr(req, 'cc.field.lon')}<input name="lon" inputmode="decimal" placeholder="114,5908" value="${v('lon')}">${fieldErr(err, 'lon')}</label>
<label class="wide">${tr(req, 'cc.field.description')}<textarea name="description" rows="3" required>${v('description')}</textarea>${fieldErr(err, 'description')}</label>
</div>
<div id="cc-dups" aria-live="polite">${dups ? dupList(req, dups, true) : ''}</div>
<div class="actions"><button type="submit" name="save" value="1">${tr(req, 'cc.intake.save')}</button></div>
</form>${ccScript}`;
  };

  const dupList = (req: FastifyRequest, dups: inc.DuplicateCandidate[], buttons: boolean): Html => {
    if (dups.length === 0) return html`<p class="muted">${tr(req, 'cc.intake.no_dups')}</p>`;
    return html`<div class="warning cc-dups"><p>${tr(req, 'cc.intake.dups', { n: dups.length })}</p><ul>${dups.map(
      (d) =>
        html`<li><a href="/command-center/incidents/${d.id}" target="_blank">#${d.id}</a> ${incidentBadge(req, d.status)} ${when(req, d.received_at)} · ${d.description} ${d.address} ${d.distance_m !== null ? html`· ${d.distance_m} m` : ''} · ${d.reports} ${tr(req, 'cc.field.reports')} ${buttons ? html`<button type="submit" name="merge_into" value="${d.id}">${tr(req, 'cc.intake.merge', { id: d.id })}</button>` : ''}</li>`,
    )}</ul>${buttons ? html`<button type="submit" name="confirm_new" value="1">${tr(req, 'cc.intake.save_new')}</button>` : ''}</div>`;
  };

  app.get(
    '/command-center/intake',
    {
      config: { auth: { permission: 'cc.intake' } },
      schema: {
        ...hide,
        querystring: z.object({
          saved: intIn(z.number().int().optional()),
          code: z.string().max(20).optional(),
          merged: z.string().max(1).optional(),
        }),
      },
    },
    async (req, reply) => {
      const s = req.query;
      const notice = s.saved
        ? tr(req, s.merged ? 'cc.intake.merged' : 'cc.intake.saved', { id: s.saved, code: s.code ?? '' })
        : undefined;
      return sendPage(req, reply, { title: tr(req, 'cc.intake.title'), body: await intakeForm(req), notice });
    },
  );
  app.get(
    '/command-center/intake/duplicates',
    { config: { auth: { permission: 'cc.intake' } }, schema: { ...hide, querystring: anyBody } },
    async (req, reply) => {
      const parsed = intakeIn.safeParse({ description: '-', ...formBody(req.query) });
      if (!parsed.success) return sendFragment(reply, html``);
      const dups = await inc.findDuplicates(db, req.principal!.pemdaId, parsed.data);
      return sendFragment(reply, dupList(req, dups, false));
    },
  );
  app.post(
    '/command-center/intake',
    { config: { auth: { permission: 'cc.intake' } }, schema: { ...hide, body: anyBody } },
    async (req, reply) => {
      const b = formBody(req.body);
      try {
        const v = intakeIn.parse(b);
        const r = await inc.intake(db, req.principal!, v);
        return seeOther(
          reply,
          `/command-center/intake?${qs({ saved: r.incident_id, code: r.tracking_code, merged: r.merged ? '1' : undefined })}`,
        );
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        const dups = (e.details as { duplicates?: inc.DuplicateCandidate[] } | undefined)?.duplicates;
        return sendPage(req, reply, {
          title: tr(req, 'cc.intake.title'),
          body: await intakeForm(req, b, dups ? null : e, dups),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- one incident ---------------------------------------------------------------------------------------
  const incidentBody = async (req: FastifyRequest, id: number, e?: { errors: Errors; message: string } | null) => {
    const p = req.principal!;
    const d = await q.getIncident(db, p, id, lang(req));
    const i = d.incident;
    const cat = await inc.getCategory(db, p.pemdaId, i.category_id);
    const canDispatch = can(p, 'cc.dispatch') && (i.status === 'open' || i.status === 'dispatched');
    const opds = canDispatch ? (await listOpds(db, p.pemdaId)).filter((o) => o.kind === 'opd') : [];
    const live = new Set(d.assignments.filter((a) => a.status !== 'handed_back').map((a) => a.opd_id));
    const showContacts = can(p, 'cc.read') || can(p, 'cc.queue');
    return html`${errorBox(e)}<dl class="detail cc-incident" data-status="${i.status}">
<dt>${tr(req, 'cc.field.status')}</dt><dd class="cc-status">${incidentBadge(req, i.status)} ${priorityBadge(req, i.priority)} ${i.merged_into ? html`→ <a href="/command-center/incidents/${i.merged_into}">#${i.merged_into}</a>` : ''}</dd>
<dt>${tr(req, 'cc.field.category')}</dt><dd>${i.category_code} · ${i.category_name} ${cat?.external ? html`<span class="muted">${tr(req, 'cc.incident.external', { who: cat.external })}</span>` : ''}</dd>
<dt>${tr(req, 'cc.field.description')}</dt><dd>${i.description}</dd>
<dt>${tr(req, 'cc.field.location')}</dt><dd>${i.address} ${i.kelurahan ? `${i.kelurahan}, ` : ''}${i.kecamatan} ${i.lat ? html`<span class="muted">(${i.lat}, ${i.lon})</span>` : ''}</dd>
<dt>${tr(req, 'cc.field.received')}</dt><dd>${when(req, i.received_at)}</dd>
<dt>${tr(req, 'cc.field.timers')}</dt><dd>${timerChips(req, i.timers)}</dd>
</dl>
<h2>${tr(req, 'cc.field.reports')} (${d.reports.length})</h2>
<table class="table"><thead><tr><th>${tr(req, 'cc.field.tracking_code')}</th><th>${tr(req, 'cc.field.source')}</th><th>${tr(req, 'cc.field.reporter_name')}</th><th>${tr(req, 'cc.field.reporter_phone')}</th><th>${tr(req, 'cc.field.description')}</th><th>${tr(req, 'cc.field.received')}</th></tr></thead><tbody>${d.reports.map(
      (r) =>
        html`<tr><td>${r.tracking_code}</td><td>${tr(req, `cc.source.${r.source}`)}</td><td>${r.reporter_name}</td><td>${showContacts ? r.reporter_phone || r.reporter_email : ''}</td><td>${r.description} ${r.has_photo ? html`<a href="/lapor/foto/${r.tracking_code}">📷</a>` : ''}</td><td>${when(req, r.received_at)}</td></tr>`,
    )}</tbody></table>
<h2>${tr(req, 'cc.field.units')}</h2>
${
  d.assignments.length
    ? html`<table class="table cc-assignments"><thead><tr><th>${tr(req, 'cc.field.opd')}</th><th>${tr(req, 'cc.field.status')}</th><th>${tr(req, 'cc.field.timers')}</th><th>${tr(req, 'cc.field.note')}</th></tr></thead><tbody>${d.assignments.map(
        (a) =>
          html`<tr data-assignment="${a.id}"><td>${a.opd_name}</td><td>${assignmentBadge(req, a.status)}</td><td>${timerChips(req, a.timers)}</td><td>${a.note}${a.reason ? html` <i>${a.reason}</i>` : ''}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">—</p>`
}
${
  canDispatch
    ? html`<form method="post" action="/command-center/incidents/${i.id}/dispatch" class="form cc-dispatch">${csrfField(req)}<fieldset><legend>${tr(req, 'cc.incident.dispatch')}</legend><p class="muted">${tr(req, 'cc.incident.suggested')}</p>${opds.map(
        (o) =>
          html`<label class="check"><input type="checkbox" name="opd_ids" value="${o.id}" ${live.has(o.id) ? 'disabled' : cat?.opd_ids.includes(o.id) ? 'checked' : ''}> ${o.name}</label>`,
      )}${fieldErr(e?.errors, 'opd_ids')}<div class="actions"><button>${tr(req, 'cc.incident.dispatch_do')}</button></div></fieldset></form>
<form method="post" action="/command-center/incidents/${i.id}/merge" class="form inline cc-merge" data-confirm="${tr(req, 'cc.incident.merge_confirm')}">${csrfField(req)}<label>${tr(req, 'cc.incident.merge')} #<input name="into" inputmode="numeric" size="6" required></label><button>${tr(req, 'cc.incident.merge_do')}</button></form>`
    : ''
}
<h2>${tr(req, 'cc.incident.timeline')}</h2>
<ol class="cc-timeline">${d.timeline.map(
      (s) =>
        html`<li data-kind="${s.kind}"><time>${when(req, s.at)}</time> ${tr(req, `cc.event.${s.kind}`)}${s.opd_name ? html` · ${s.opd_name}` : ''} · <span class="muted">${s.actor_name}</span>${s.note ? html` — ${s.note}` : ''}</li>`,
    )}</ol>`;
  };

  app.get(
    '/command-center/incidents/:id',
    {
      config: { auth: { permission: 'cc.incident.view' } },
      schema: {
        ...hide,
        params: idParam,
        querystring: z.object({ ok: z.string().max(40).optional(), n: intIn(z.number().int().optional()) }),
      },
    },
    async (req, reply) => {
      const after = await lastEventId(db, req.principal!.pemdaId);
      const notice =
        req.query.ok === 'dispatched'
          ? tr(req, 'cc.incident.dispatched', { n: req.query.n ?? 1 })
          : req.query.ok === 'merged'
            ? tr(req, 'cc.incident.merged_done', { id: req.query.n ?? '' })
            : undefined;
      const stream = can(req.principal, 'cc.read') ? '/command-center/live/ops' : '/command-center/live/unit';
      const body = liveRegion(
        'cc-incident',
        stream,
        `/command-center/fragments/incidents/${req.params.id}`,
        after,
        await incidentBody(req, req.params.id),
      );
      return sendPage(req, reply, {
        title: tr(req, 'cc.incident.title', { id: req.params.id }),
        body: html`${body}${ccScript}`,
        notice,
      });
    },
  );
  app.get(
    '/command-center/fragments/incidents/:id',
    { config: { auth: { permission: 'cc.incident.view' } }, schema: { ...hide, params: idParam } },
    async (req, reply) => sendFragment(reply, await incidentBody(req, req.params.id)),
  );
  app.post(
    '/command-center/incidents/:id/dispatch',
    { config: { auth: { permission: 'cc.dispatch' } }, schema: { ...hide, params: idParam, body: anyBody } },
    async (req, reply) => {
      try {
        const v = dispatchIn.parse(formBody(req.body));
        const ids = await inc.dispatch(db, req.principal!, req.params.id, v.opd_ids);
        return seeOther(reply, `/command-center/incidents/${req.params.id}?ok=dispatched&n=${ids.length}`);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cc.incident.title', { id: req.params.id }),
          body: await incidentBody(req, req.params.id, e),
          status: statusOf(err),
        });
      }
    },
  );
  app.post(
    '/command-center/incidents/:id/merge',
    { config: { auth: { permission: 'cc.dispatch' } }, schema: { ...hide, params: idParam, body: anyBody } },
    async (req, reply) => {
      try {
        const v = mergeIn.parse(formBody(req.body));
        await inc.mergeIncident(db, req.principal!, req.params.id, v.into);
        return seeOther(reply, `/command-center/incidents/${v.into}?ok=merged&n=${req.params.id}`);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e) throw err;
        return sendPage(req, reply, {
          title: tr(req, 'cc.incident.title', { id: req.params.id }),
          body: await incidentBody(req, req.params.id, e),
          status: statusOf(err),
        });
      }
    },
  );

  // ---- supervisor ----------------------------------------------------------------------------------------
  const superBody = async (req: FastifyRequest) => {
    const rows = await q.breaches(db, req.principal!, lang(req));
    if (rows.length === 0) return html`<p class="muted">${tr(req, 'cc.super.none')}</p>`;
    return html`<table class="table cc-breaches"><thead><tr><th>#</th><th>${tr(req, 'cc.field.priority')}</th><th>${tr(req, 'cc.field.category')}</th><th>${tr(req, 'cc.field.kecamatan')}</th><th>${tr(req, 'cc.field.opd')}</th><th>${tr(req, 'cc.field.timers')}</th></tr></thead><tbody>${rows.map(
      (b) =>
        html`<tr class="cc-row-breach"><td><a href="/command-center/incidents/${b.incident_id}">#${b.incident_id}</a></td><td>${priorityBadge(req, b.priority)}</td><td>${b.category_name}</td><td>${b.kecamatan}</td><td>${b.opd_name ?? '—'}</td><td>${timerChips(req, [b.timer])} ${tr(req, 'cc.super.late', { n: Math.round(-b.timer.leftMin) })}</td></tr>`,
    )}</tbody></table>`;
  };
  app.get(
    '/command-center/supervisor',
    { config: { auth: { permission: 'cc.supervise' } }, schema: hide },
    async (req, reply) => {
      const after = await lastEventId(db, req.principal!.pemdaId);
      const body = html`${liveRegion('cc-super', '/command-center/live/ops', '/command-center/fragments/supervisor', after, await superBody(req))}${ccScript}`;
      return sendPage(req, reply, { title: tr(req, 'cc.super.title'), body });
    },
  );
  app.get(
    '/command-center/fragments/supervisor',
    { config: { auth: { permission: 'cc.supervise' } }, schema: hide },
    async (req, reply) => sendFragment(reply, await superBody(req)),
  );
}
