// A unit's queue (its own OPD only; the operations room may open any OPD's) with one button per
// next step, live: a newly dispatched incident appears without a reload.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { lastEventId } from '../../core/events/events.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { getOrganisation, listOpds } from '../master-data/index.ts';
import { moveIn } from './cc.schema.ts';
import * as q from './queries.service.ts';
import { canMove, moveAssignment } from './assignments.service.ts';
import { ccScript, liveRegion } from './ops.pages.ts';
import {
  assignmentBadge,
  errorBox,
  errorsOf,
  formBody,
  priorityBadge,
  qs,
  seeOther,
  statusOf,
  timerChips,
  when,
  PHOTO_MAX,
  photoType,
  type Errors,
} from './ui.ts';
import { fieldError } from '../../core/errors.ts';
import type { AssignmentStatus } from './cc.tables.ts';

const hide = { hide: true } as const;
const anyBody = z.record(z.string(), z.unknown());
const opdQuery = z.object({
  opd_id: intIn(z.number().int().positive().max(2_147_483_647).optional()),
  ok: z.string().max(20).optional(),
});
const idParam = z.object({ id: intIn(z.number().int().positive().max(2_147_483_647)) });
const NEXT: AssignmentStatus[] = ['acknowledged', 'en_route', 'on_scene', 'resolved'];

export async function unitPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  /** The OPD whose queue is shown: a unit's own; the room chooses. */
  const opdOf = (req: FastifyRequest, asked: number | undefined) =>
    req.principal!.opdId !== null && isOpdScoped(req.principal!.role) ? req.principal!.opdId : (asked ?? null);

  const item = (
    req: FastifyRequest,
    a: q.QueueItem,
    opdId: number,
    e?: { errors: Errors; message: string } | null,
  ): Html => {
    const i = a.incident;
    const steps = NEXT.filter((s) => canMove(a.status, s));
    const back = `opd_id=${opdId}`;
    return html`<article class="card cc-assignment" data-assignment="${a.id}" data-incident="${i.id}" data-status="${a.status}">
<h3><a href="/command-center/incidents/${i.id}">#${i.id}</a> ${priorityBadge(req, i.priority)} ${i.category_name} ${assignmentBadge(req, a.status)}</h3>
<p>${i.description}</p>
<p class="muted">${i.address} ${i.kelurahan ? `${i.kelurahan}, ` : ''}${i.kecamatan} ${i.lat ? `(${i.lat}, ${i.lon})` : ''} · ${when(req, i.received_at)}</p>
<p>${timerChips(req, [...i.timers.filter((t) => t.kind === 'dispatch'), ...a.timers])}</p>
${errorBox(e)}
${
  steps.length
    ? html`<form method="post" action="/command-center/assignments/${a.id}/status?${back}" class="form inline cc-move" enctype="multipart/form-data">${csrfField(req)}<input type="hidden" name="version" value="${a.version}">
${steps.includes('resolved') && a.status === 'on_scene' ? html`<label>${tr(req, 'cc.field.note')}<input name="note"></label><label>${tr(req, 'cc.field.photo')}<input type="file" name="photo" accept="image/jpeg,image/png,image/webp"></label>` : ''}
${steps.slice(0, a.status === 'on_scene' ? 1 : 2).map((s) => html`<button name="status" value="${s}" class="cc-step-${s}">${tr(req, `cc.astatus.${s}`)}</button> `)}
</form>
<details class="cc-handback"><summary>${tr(req, 'cc.unit.hand_back')}</summary><form method="post" action="/command-center/assignments/${a.id}/status?${back}" class="form inline" data-confirm="${tr(req, 'cc.unit.hand_back_confirm')}" enctype="multipart/form-data">${csrfField(req)}<input type="hidden" name="version" value="${a.version}"><label>${tr(req, 'cc.field.reason')}<input name="reason" required></label><button name="status" value="handed_back">${tr(req, 'cc.unit.hand_back')}</button></form></details>`
    : ''
}
</article>`;
  };

  const queueBody = async (
    req: FastifyRequest,
    opdId: number,
    err?: { id: number; e: { errors: Errors; message: string } },
  ) => {
    const qu = await q.unitQueue(db, req.principal!, opdId, req.lang === 'en' ? 'en' : 'id');
    return html`<section class="cc-queue">${qu.active.length ? qu.active.map((a) => item(req, a, opdId, err?.id === a.id ? err.e : null)) : html`<p class="muted cc-empty">${tr(req, 'cc.unit.none')}</p>`}</section>
<h2>${tr(req, 'cc.unit.done')}</h2>
<ul class="cc-done">${qu.done.map((a) => html`<li data-assignment="${a.id}"><a href="/command-center/incidents/${a.incident.id}">#${a.incident.id}</a> ${a.incident.category_name} ${assignmentBadge(req, a.status)} ${when(req, a.resolved_at ?? a.handed_back_at)}</li>`)}</ul>`;
  };

  const page = async (
    req: FastifyRequest,
    opdId: number | null,
    notice?: string,
    err?: { id: number; e: { errors: Errors; message: string } },
    status = 200,
  ) => {
    const p = req.principal!;
    if (opdId === null) {
      // the room chooses which OPD's queue to watch
      const opds = (await listOpds(db, p.pemdaId)).filter((o) => o.kind === 'opd');
      const body = html`<form method="get" action="/command-center/unit" class="form inline"><label>${tr(req, 'cc.unit.choose')}<select name="opd_id">${opds.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label><button>OK</button></form>`;
      return { title: tr(req, 'cc.nav.unit'), body, status };
    }
    const opd = await getOrganisation(db, p.pemdaId, opdId);
    const after = await lastEventId(db, p.pemdaId);
    const body = html`<p><span class="cc-live-flag">${tr(req, 'cc.room.live')}</span></p>${liveRegion('cc-unit', `/command-center/live/unit?${qs({ opd_id: opdId })}`, `/command-center/fragments/unit?${qs({ opd_id: opdId })}`, after, await queueBody(req, opdId, err))}${ccScript}`;
    return { title: tr(req, 'cc.unit.title', { opd: opd?.name ?? '' }), body, notice, status };
  };

  app.get(
    '/command-center/unit',
    { config: { auth: { permission: 'cc.queue' } }, schema: { ...hide, querystring: opdQuery } },
    async (req, reply) => {
      const notice = req.query.ok
        ? tr(req, 'cc.unit.moved', { status: tr(req, `cc.astatus.${req.query.ok.replace(/[^a-z_]/g, '')}`) })
        : undefined;
      return sendPage(req, reply, await page(req, opdOf(req, req.query.opd_id), notice));
    },
  );
  app.get(
    '/command-center/fragments/unit',
    { config: { auth: { permission: 'cc.queue' } }, schema: { ...hide, querystring: opdQuery } },
    async (req, reply) => {
      const opdId = opdOf(req, req.query.opd_id);
      return sendFragment(reply, opdId === null ? html`` : await queueBody(req, opdId));
    },
  );

  app.post(
    '/command-center/assignments/:id/status',
    {
      config: { auth: { permission: 'cc.assignment.move' } },
      schema: { ...hide, params: idParam, querystring: opdQuery, body: anyBody },
    },
    async (req, reply) => {
      const raw = req.body as Record<string, unknown>;
      const photoBuf = Buffer.isBuffer(raw.photo) && raw.photo.length > 0 ? raw.photo : null;
      const opdId = opdOf(req, req.query.opd_id);
      try {
        const v = moveIn.parse(formBody(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'photo'))));
        let photo: { data: Buffer; type: string } | null = null;
        if (photoBuf) {
          const type = photoType(photoBuf);
          if (!type || photoBuf.length > PHOTO_MAX) throw fieldError('photo', 'cc.error.photo');
          photo = { data: photoBuf, type };
        }
        const r = await moveAssignment(db, req.principal!, req.params.id, { ...v, photo });
        return seeOther(reply, `/command-center/unit?${qs({ opd_id: opdId, ok: r.status })}`);
      } catch (err) {
        const e = errorsOf(req, err);
        if (!e || opdId === null || statusOf(err) === 403 || statusOf(err) === 404) throw err;
        return sendPage(req, reply, await page(req, opdId, undefined, { id: req.params.id, e }, statusOf(err)));
      }
    },
  );
}
