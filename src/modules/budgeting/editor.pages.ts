// The line editor: a sub kegiatan's lines (new, edit, delete) and an OPD's revenue and financing
// lines. Plain forms (POST → 303, or the form again with its errors); with JavaScript, htmx posts the
// form to a preview endpoint as you type and swaps in the computed total and the remaining ceiling,
// and the catalogue picker (/catalogue/picker) searches as you type; /budget/editor.js (a few lines,
// same origin for the CSP) puts a picked item in the form. The form itself: line-form.ts; the travel
// calculator: travel.pages.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { confirmed, csrfField, sendConfirm, sendFragment, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { intIn } from '../../core/number.ts';
import { getOrganisation } from '../master-data/index.ts';
import { requireStage } from './stages.service.ts';
import {
  createLine,
  createOpdLine,
  deleteLine,
  getLine,
  lineOut,
  updateLine,
  type SubKegiatan,
} from './rka.service.ts';
import { idParams, lineParams } from './budgeting.schema.ts';
import { resolvers } from './opd.resolvers.ts';
import { hide, loadSub } from './pages.helpers.ts';
import { formBody, money, saveOrFormAgain, str, type FormBody, type FormErrors } from './pages.common.ts';
import { itemOf, lineForm, lineFromForm, pickerFor, previewFragment, valuesOf } from './line-form.ts';

const EDITOR_JS = `// Padu line editor: a picked catalogue item goes into the form; htmx then recomputes the preview.
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('button.pick');
  var form = document.getElementById('line-form');
  if (!b || !form) return;
  e.preventDefault();
  form.elements.item_id.value = b.dataset.id;
  var chosen = document.getElementById('chosen-item');
  var price = String(b.dataset.price).replace(/\\B(?=(\\d{3})+(?!\\d))/g, '.');
  if (chosen) chosen.textContent = b.dataset.code + ' ' + b.dataset.name + ' · ' + b.dataset.unit + ' · Rp ' + price;
  if (form.elements.unit_price) form.elements.unit_price.placeholder = price;
  if (form.elements.u1 && !form.elements.u1.value) form.elements.u1.value = b.dataset.unit;
  // the account list offers exactly the item's allowed accounts; with one, it is chosen
  var allowed = (b.dataset.accounts || '').split(' ').filter(Boolean);
  var acc = form.elements.account;
  if (acc && allowed.length) {
    for (var i = 0; i < acc.options.length; i++) {
      var o = acc.options[i];
      if (!o.value) continue;
      var ok = allowed.indexOf(o.value) >= 0;
      o.hidden = !ok;
      o.disabled = !ok;
    }
    if (allowed.length === 1) acc.value = allowed[0];
    else if (allowed.indexOf(acc.value) < 0) acc.value = '';
  }
  var results = document.getElementById('picker-results');
  if (results) results.innerHTML = '';
  form.dispatchEvent(new Event('change', { bubbles: true }));
});
`;

const BUDGET_CSS = `/* e-Budgeting: the line editor and the picker (on top of padu.css). */
form.form.wide { max-width: 64rem; }
form.form fieldset { min-width: 0; border: 1px solid var(--line); }
form.form select { max-width: 100%; }
ul.picker { list-style: none; padding: 0; margin: .3rem 0; max-height: 22rem; overflow-y: auto; border: 1px solid var(--line); }
ul.picker li { border-bottom: 1px solid var(--line); }
ul.picker button.pick, ul.picker label { display: block; width: 100%; text-align: left; background: #fff; color: var(--fg); border: 0; border-radius: 0; padding: .3rem .5rem; font-weight: 400; }
ul.picker button.pick:hover, ul.picker button.pick:focus { background: #e8f1f8; }
dl.detail.preview dd { font-variant-numeric: tabular-nums; }
button.default-submit { position: absolute; left: -9999px; width: 1px; height: 1px; overflow: hidden; }
dd.error, td.error, b.error { background: none; border: 0; color: var(--err); padding: 0; font-weight: 700; }
`;

/** A page to return to with a query added ("?saved=1" or "&saved=1"). */
const withQuery = (back: string, q: string) => `${back}${back.includes('?') ? '&' : '?'}${q}`;

export async function editorPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const opd = resolvers(db);

  app.get('/budget/budget.css', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BUDGET_CSS),
  );
  app.get('/budget/editor.js', { config: { auth: 'public' }, schema: hide }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(EDITOR_JS),
  );

  const write = { permission: 'bud.line.write' };

  /**
   * The new-line form of a sub kegiatan. `picker`: 'query' shows the catalogue search of the values'
   * q (GET), 'search' the search asked for without JavaScript (an empty list when nothing matches);
   * absent, none (the form again with its errors).
   */
  async function sendNewLineForm(
    req: FastifyRequest,
    reply: FastifyReply,
    s: SubKegiatan,
    values: FormBody,
    o: { errors?: FormErrors; picker?: 'query' | 'search'; status?: number } = {},
  ) {
    const year = (await requireStage(db, req.principal!.pemdaId, s.stage_id)).year;
    const item = await itemOf(db, req, values);
    const rows = o.picker ? await pickerFor(db, req, year, values) : undefined;
    const body = await lineForm(db, req, {
      action: `/budget/sub/${s.id}/lines/new`,
      kind: 'belanja',
      sub: s,
      year,
      values,
      errors: o.errors ?? {},
      item,
      pickerRows: o.picker === 'search' ? (rows ?? []) : rows,
      back: `/budget/sub/${s.id}`,
    });
    return sendPage(req, reply, { title: tr(req, 'bud.line.new_title', { code: s.code }), body, status: o.status });
  }

  // new line (GET also serves the no-JavaScript catalogue search: the form re-submitted with ?q=)
  app.get(
    '/budget/sub/:id/lines/new',
    { config: { auth: { ...write, opd: opd.sub } }, schema: { ...hide, params: idParams, querystring: formBody } },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      return sendNewLineForm(req, reply, s, { u1: '', ...req.query }, { picker: 'query' });
    },
  );

  app.post(
    '/budget/sub/:id/lines/new',
    { config: { auth: { ...write, opd: opd.sub } }, schema: { ...hide, params: idParams, body: formBody } },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      // the catalogue search without JavaScript: the form again with the results (nothing saved)
      if (str(req.body, 'op') === 'search') return sendNewLineForm(req, reply, s, req.body, { picker: 'search' });
      return saveOrFormAgain(
        req,
        async () => {
          const line = await createLine(db, req.principal!, s.id, lineFromForm(req.body));
          return reply.redirect(`/budget/sub/${s.id}?saved=1#line-${line.id}`, 303);
        },
        (errors, status) => sendNewLineForm(req, reply, s, req.body, { errors, status }),
      );
    },
  );

  app.post(
    '/budget/sub/:id/lines/preview',
    {
      config: { auth: { permission: 'bud.read', opd: opd.sub } },
      schema: { ...hide, params: idParams, body: formBody },
    },
    async (req, reply) => {
      const s = await loadSub(db, req, req.params.id);
      return sendFragment(reply, await previewFragment(db, req, s, req.body, str(req.body, 'line_id') || undefined));
    },
  );

  // edit / delete a line
  type Line = NonNullable<Awaited<ReturnType<typeof getLine>>>;
  async function loadLine(req: FastifyRequest, id: string): Promise<Line> {
    const l = await getLine(db, req.principal!.pemdaId, id);
    if (!l) throw notFound('bud.error.line_unknown');
    return l;
  }
  /** Where a line's pages return to: its sub kegiatan, or its OPD's page (revenue, financing). */
  const lineBack = (l: Line) =>
    l.sub_kegiatan_id ? `/budget/sub/${l.sub_kegiatan_id}` : `/budget/opd/${l.opd_id}?stage_id=${l.stage_id}`;

  /** The edit form of a line (`picker` as in sendNewLineForm), with the delete button when asked. */
  async function sendEditLineForm(
    req: FastifyRequest,
    reply: FastifyReply,
    l: Line,
    values: FormBody,
    o: { version: number; errors?: FormErrors; picker?: 'query' | 'search'; status?: number; withDelete?: boolean },
  ) {
    const stage = await requireStage(db, req.principal!.pemdaId, l.stage_id);
    const s = l.sub_kegiatan_id ? await loadSub(db, req, l.sub_kegiatan_id) : undefined;
    const item = await itemOf(db, req, values);
    const rows = o.picker ? await pickerFor(db, req, stage.year, values) : undefined;
    const form = await lineForm(db, req, {
      action: `/budget/lines/${l.id}/edit`,
      kind: l.kind,
      sub: s,
      year: stage.year,
      lineId: String(l.id),
      version: o.version,
      values,
      errors: o.errors ?? {},
      item,
      pickerRows: o.picker === 'search' ? (rows ?? []) : rows,
      back: lineBack(l),
    });
    const del = o.withDelete
      ? html`<form method="post" action="/budget/lines/${l.id}/delete" class="actions">${csrfField(req)}<input type="hidden" name="version" value="${l.version}"><button class="secondary">${tr(req, 'bud.line.delete')}</button></form>`
      : '';
    return sendPage(req, reply, {
      title: tr(req, 'bud.line.edit_title', { code: s?.code ?? l.account_code }),
      body: html`${form}${del}`,
      status: o.status,
    });
  }

  app.get(
    '/budget/lines/:id/edit',
    {
      config: { auth: { ...write, opd: opd.line } },
      schema: { ...hide, params: lineParams, querystring: formBody },
    },
    async (req, reply) => {
      const l = await loadLine(req, req.params.id);
      const values = { ...valuesOf(lineOut(l)), ...req.query };
      return sendEditLineForm(req, reply, l, values, { version: l.version, picker: 'query', withDelete: true });
    },
  );

  app.post(
    '/budget/lines/:id/edit',
    { config: { auth: { ...write, opd: opd.line } }, schema: { ...hide, params: lineParams, body: formBody } },
    async (req, reply) => {
      const l = await loadLine(req, req.params.id);
      const version = Number(str(req.body, 'version'));
      if (str(req.body, 'op') === 'search')
        return sendEditLineForm(req, reply, l, req.body, { version, picker: 'search' });
      return saveOrFormAgain(
        req,
        async () => {
          const input = lineFromForm(req.body);
          await updateLine(db, req.principal!, l.id, { ...input, item_id: input.item_id ?? null, version });
          return reply.redirect(withQuery(lineBack(l), 'saved=1'), 303);
        },
        (errors, status) => sendEditLineForm(req, reply, l, req.body, { version, errors, status }),
      );
    },
  );

  app.post(
    '/budget/lines/:id/delete',
    { config: { auth: { ...write, opd: opd.line } }, schema: { ...hide, params: lineParams, body: formBody } },
    async (req, reply) => {
      const l = await loadLine(req, req.params.id);
      const back = lineBack(l);
      const o = lineOut(l);
      const params = { name: o.name, account: o.account_code, total: money(req, o.total) };
      if (!confirmed(req.body))
        return sendConfirm(req, reply, {
          title: tr(req, 'bud.confirm.delete_line_title'),
          what: [tr(req, 'bud.confirm.delete_line_what', params), tr(req, 'bud.confirm.delete_line_after')],
          action: `/budget/lines/${l.id}/delete`,
          body: req.body,
          yes: tr(req, 'bud.confirm.delete_line_yes'),
          back,
          danger: true,
        });
      await deleteLine(db, req.principal!, l.id, Number(str(req.body, 'version')));
      const q = new URLSearchParams({ done: 'delete_line', d_name: params.name, d_total: params.total });
      return reply.redirect(withQuery(back, q.toString()), 303);
    },
  );

  // revenue / financing lines of an OPD
  const opdParams = z.object({ opdId: intIn(z.number().int().positive()) });
  const kindQuery = z.object({
    kind: z.enum(['pendapatan', 'pembiayaan']),
    stage_id: intIn(z.number().int().positive()),
  });
  app.get(
    '/budget/opd/:opdId/lines/new',
    {
      config: { auth: { ...write, opd: opd.param } },
      schema: { ...hide, params: opdParams, querystring: kindQuery },
    },
    async (req, reply) => {
      const stage = await requireStage(db, req.principal!.pemdaId, req.query.stage_id);
      const org = await getOrganisation(db, req.principal!.pemdaId, req.params.opdId);
      const body = await lineForm(db, req, {
        action: `/budget/opd/${req.params.opdId}/lines/new?kind=${req.query.kind}&stage_id=${stage.id}`,
        kind: req.query.kind,
        year: stage.year,
        values: { u1: 'Tahun' },
        errors: {},
        back: `/budget/opd/${req.params.opdId}?stage_id=${stage.id}`,
      });
      return sendPage(req, reply, { title: `${tr(req, `bud.kind.${req.query.kind}`)} · ${org?.name ?? ''}`, body });
    },
  );
  app.post(
    '/budget/opd/:opdId/lines/new',
    {
      config: { auth: { ...write, opd: opd.param } },
      schema: { ...hide, params: opdParams, querystring: kindQuery, body: formBody },
    },
    async (req, reply) => {
      const stage = await requireStage(db, req.principal!.pemdaId, req.query.stage_id);
      const back = `/budget/opd/${req.params.opdId}?stage_id=${stage.id}`;
      return saveOrFormAgain(
        req,
        async () => {
          await createOpdLine(db, req.principal!, stage.id, req.params.opdId, req.query.kind, lineFromForm(req.body));
          return reply.redirect(`${back}&saved=1`, 303);
        },
        async (errors, status) => {
          const body = await lineForm(db, req, {
            action: `/budget/opd/${req.params.opdId}/lines/new?kind=${req.query.kind}&stage_id=${stage.id}`,
            kind: req.query.kind,
            year: stage.year,
            values: req.body,
            errors,
            back,
          });
          return sendPage(req, reply, { title: tr(req, `bud.kind.${req.query.kind}`), body, status });
        },
      );
    },
  );
}
