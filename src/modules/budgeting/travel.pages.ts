// The travel calculator: an official trip priced from SBU (one line per component), with a live
// preview of the components and the remaining ceiling (htmx, as the line editor: editor.pages.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { badRequest, notFound } from '../../core/errors.ts';
import { readFormNumbers } from '../../core/number.ts';
import { listGrades, listProvinces } from '../catalogue/index.ts';
import { getPemda } from '../../core/tenancy.ts';
import { requireStage } from './stages.service.ts';
import { type SubKegiatan } from './rka.service.ts';
import {
  createTravel,
  deleteTravel,
  getTravel,
  previewTravel,
  updateTravel,
  type TravelInput,
} from './travel.service.ts';
import { idParams } from './budgeting.schema.ts';
import { resolvers } from './opd.resolvers.ts';
import { hide, loadSub } from './pages.helpers.ts';
import { errorsOf, fe, formBody, money, saveOrFormAgain, str, type FormBody, type FormErrors } from './pages.common.ts';

export async function travelPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const opd = resolvers(db);
  const write = { permission: 'bud.line.write' };

  const travelFromForm = (raw: FormBody): TravelInput => {
    const { body: b, errors } = readFormNumbers(raw, [
      ['persons', 'integer'],
      ['days', 'integer'],
    ]);
    // only valid combinations: a trip inside the region has no SBU fare (flight and land fares are
    // priced under the account of trips outside the region)
    if (str(b, 'travel_kind') === 'dalam_kota' && (str(b, 'transport') || 'none') !== 'none')
      errors.push({ field: 'transport', message: 'bud.error.travel_no_flight_inside' });
    if (errors.length) throw badRequest(errors);
    return {
      description: str(b, 'description'),
      persons: Number(str(b, 'persons')) || 0,
      days: Number(str(b, 'days')) || 0,
      province: str(b, 'province'),
      travel_kind: (str(b, 'travel_kind') || 'luar_kota') as 'luar_kota',
      transport: (str(b, 'transport') || 'none') as 'none',
      grade: str(b, 'grade'),
    };
  };

  async function travelForm(
    req: FastifyRequest,
    s: SubKegiatan,
    action: string,
    values: FormBody,
    errors: FormErrors,
    travelId?: number,
    version?: number,
  ): Promise<Html> {
    const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
    const provinces = await listProvinces(db, req.principal!.pemdaId, year);
    // a trip inside the region (dalam daerah) stays in the Pemda's own province
    const home = (await getPemda(db, req.principal!.pemdaId))?.province ?? '';
    const destinationKinds = Object.fromEntries(
      provinces.map((x) => [x, home && x.toLowerCase() !== home.toLowerCase() ? 'luar_kota' : 'luar_kota dalam_kota']),
    );
    const grades = listGrades();
    const v = values;
    const sel = (name: string, opts: Array<[string, string]>, parents: Record<string, string> = {}, filterBy = '') =>
      html`<select name="${name}" id="travel-${name}" ${filterBy ? html`data-filter-by="${filterBy}"` : ''}>${opts.map(([k, label]) => html`<option value="${k}" ${parents[k] ? html`data-parent="${parents[k]}"` : ''} ${k === str(v, name) ? 'selected' : ''}>${label}</option>`)}</select>`;
    return html`${errors._ ? html`<p class="error" role="alert">${errors._}</p>` : ''}
<link rel="stylesheet" href="/budget/budget.css">
<form method="post" action="${action}" id="travel-form" class="form wide">
  ${csrfField(req)}
  ${travelId ? html`<input type="hidden" name="travel_id" value="${travelId}"><input type="hidden" name="version" value="${version}">` : ''}
  <label>${tr(req, 'bud.field.trip')}<input name="description" value="${str(v, 'description')}" required>${fe(errors, 'description')}</label>
  <label>${tr(req, 'bud.field.persons')}<input name="persons" inputmode="numeric" data-num="integer" data-unit="${tr(req, 'bud.travel.unit_persons')}" value="${str(v, 'persons') || '1'}" required>${fe(errors, 'persons')}</label>
  <label>${tr(req, 'bud.field.days')}<input name="days" inputmode="numeric" data-num="integer" data-unit="${tr(req, 'bud.travel.unit_days')}" value="${str(v, 'days') || '1'}" required>${fe(errors, 'days')}</label>
  <label>${tr(req, 'bud.field.province')}${sel(
    'province',
    provinces.map((x) => [x, x]),
    destinationKinds,
    'travel_kind',
  )}${home ? html`<span class="hint">${tr(req, 'bud.travel.province_hint', { province: home })}</span>` : ''}${fe(errors, 'province')}</label>
  <label>${tr(req, 'bud.field.travel_kind')}${sel('travel_kind', [
    ['luar_kota', tr(req, 'bud.travel.luar_kota')],
    ['dalam_kota', tr(req, 'bud.travel.dalam_kota')],
  ])}</label>
  <label>${tr(req, 'bud.field.transport')}${sel(
    'transport',
    [
      ['pesawat', tr(req, 'bud.travel.pesawat')],
      ['darat', tr(req, 'bud.travel.darat')],
      ['none', tr(req, 'bud.travel.none')],
    ],
    { pesawat: 'luar_kota', darat: 'luar_kota', none: 'luar_kota dalam_kota' },
    'travel_kind',
  )}<span class="hint">${tr(req, 'bud.travel.transport_hint')}</span>${fe(errors, 'transport')}</label>
  <label>${tr(req, 'bud.field.grade')}${sel(
    'grade',
    grades.map((g) => [g.code, g.label]),
  )}</label>
  <div id="travel-preview" hx-post="/budget/sub/${s.id}/travel/preview" hx-trigger="load, input from:#travel-form delay:300ms, change from:#travel-form" hx-include="#travel-form" aria-live="polite">${await travelPreview(req, s, v, travelId)}</div>
  ${fe(errors, 'total')}
  <div class="actions"><button>${tr(req, 'bud.travel.save')}</button> <a href="/budget/sub/${s.id}">${tr(req, 'common.cancel')}</a></div>
</form>`;
  }

  async function travelPreview(
    req: FastifyRequest,
    s: SubKegiatan,
    values: FormBody,
    travelId?: number,
  ): Promise<Html> {
    try {
      const input = travelFromForm(values);
      if (!input.province || !input.persons || !input.days) return html``;
      const pv = await previewTravel(
        db,
        req.principal!,
        s.id,
        { ...input, description: input.description.length >= 3 ? input.description : 'Perjalanan dinas' },
        travelId,
      );
      return html`<h3>${tr(req, 'bud.travel.components')}</h3><table class="data"><tbody>${pv.lines.map(
        (l) =>
          html`<tr><td>${tr(req, `bud.travel.${l.travel_component}`)}</td><td>${l.name}</td><td>${[l.v1, l.v2]
            .filter(Boolean)
            .map((x, i) => `${x} ${i === 0 ? l.u1 : l.u2}`)
            .join(
              ' x ',
            )}</td><td class="num">${money(req, l.unit_price)}</td><td class="num">${money(req, l.total)}</td></tr>`,
      )}</tbody><tfoot><tr><td colspan="4">${tr(req, 'bud.field.total')}</td><td class="num" id="travel-total">${money(req, pv.total)}</td></tr></tfoot></table>
<p>${tr(req, 'bud.field.remaining')}: ${money(req, pv.remaining_before)} → <b class="${BigInt(pv.remaining_after) < 0n ? 'error' : ''}" id="travel-remaining">${money(req, pv.remaining_after)}</b></p>`;
    } catch (err) {
      const e = errorsOf(req, err);
      if (!e) throw err;
      const fieldMsgs = Object.entries(e).filter(([k]) => k !== '_');
      return html`<p class="error">${fieldMsgs.length ? fieldMsgs.map(([k, m]) => `${tr(req, `bud.field.${k}`)}: ${m}`).join(' ') : e._}</p>`;
    }
  }

  /**
   * The trip form in a page: new (no travel) or a trip's edit. Shown first (GET), with editor.js and,
   * for a trip, its delete button; shown again with errors, the form alone.
   */
  async function sendTravelForm(
    req: FastifyRequest,
    reply: FastifyReply,
    s: SubKegiatan,
    action: string,
    values: FormBody,
    o: { first?: boolean; errors?: FormErrors; status?: number; travel?: { id: number; version: number } } = {},
  ) {
    const form = await travelForm(req, s, action, values, o.errors ?? {}, o.travel?.id, o.travel?.version);
    const t = o.travel;
    const del =
      t && o.first
        ? html`<form method="post" action="/budget/travel/${t.id}/delete" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${t.version}"><button class="secondary">${tr(req, 'bud.travel.delete')}</button></form>`
        : '';
    return sendPage(req, reply, {
      title: tr(req, 'bud.travel.title', { code: s.code }),
      body: o.first ? html`${form}${del}<script src="/budget/editor.js" defer></script>` : form,
      status: o.status,
    });
  }

  async function loadTravel(req: FastifyRequest, id: number) {
    const tv = await getTravel(db, req.principal!.pemdaId, id);
    if (!tv) throw notFound('bud.error.travel_unknown');
    return tv;
  }

  app.get(
    '/budget/sub/:id/travel',
    { config: { auth: { ...write, opd: opd.sub } }, schema: { ...hide, params: idParams } },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      return sendTravelForm(
        req,
        reply,
        s,
        `/budget/sub/${s.id}/travel`,
        {
          persons: '2',
          days: '3',
          travel_kind: 'luar_kota',
          transport: 'pesawat',
          province: 'DKI Jakarta',
          grade: 'gol_1_2_3',
        },
        { first: true },
      );
    },
  );
  app.post(
    '/budget/sub/:id/travel/preview',
    {
      config: { auth: { permission: 'bud.read', opd: opd.sub } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      return sendFragment(
        reply,
        await travelPreview(req, s, req.body, Number(str(req.body, 'travel_id')) || undefined),
      );
    },
  );
  app.post(
    '/budget/sub/:id/travel',
    { config: { auth: { ...write, opd: opd.sub } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      return saveOrFormAgain(
        req,
        async () => {
          await createTravel(db, req.principal!, s.id, travelFromForm(req.body));
          return reply.redirect(`/budget/sub/${s.id}?saved=1`, 303);
        },
        (errors, status) => sendTravelForm(req, reply, s, `/budget/sub/${s.id}/travel`, req.body, { errors, status }),
      );
    },
  );

  app.get(
    '/budget/travel/:id/edit',
    { config: { auth: { ...write, opd: opd.travel } }, schema: { ...hide, params: idParams } },
    async (req, reply) => {
      const tv = await loadTravel(req, req.params.id);
      const s = await loadSub(db, req, tv.sub_kegiatan_id);
      const transport = tv.lines.find((l) => l.travel_component === 'transport');
      const values: FormBody = {
        description: tv.description,
        persons: String(tv.persons),
        days: String(tv.days),
        province: tv.province,
        travel_kind: tv.travel_kind,
        grade: tv.grade,
        transport: transport ? (/darat/i.test(transport.name) ? 'darat' : 'pesawat') : 'none',
      };
      return sendTravelForm(req, reply, s, `/budget/travel/${tv.id}/edit`, values, {
        first: true,
        travel: { id: tv.id, version: tv.version },
      });
    },
  );
  app.post(
    '/budget/travel/:id/edit',
    { config: { auth: { ...write, opd: opd.travel } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const tv = await loadTravel(req, req.params.id);
      const s = await loadSub(db, req, tv.sub_kegiatan_id);
      const version = Number(str(req.body, 'version'));
      return saveOrFormAgain(
        req,
        async () => {
          await updateTravel(db, req.principal!, tv.id, { ...travelFromForm(req.body), version });
          return reply.redirect(`/budget/sub/${s.id}?saved=1`, 303);
        },
        (errors, status) =>
          sendTravelForm(req, reply, s, `/budget/travel/${tv.id}/edit`, req.body, {
            errors,
            status,
            travel: { id: tv.id, version },
          }),
      );
    },
  );
  app.post(
    '/budget/travel/:id/delete',
    { config: { auth: { ...write, opd: opd.travel } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const tv = await loadTravel(req, req.params.id);
      await deleteTravel(db, req.principal!, tv.id, Number(str(req.body, 'version')));
      return reply.redirect(`/budget/sub/${tv.sub_kegiatan_id}?saved=1`, 303);
    },
  );
}
