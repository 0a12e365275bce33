// The planning settings page (/perencanaan/pengaturan): Musrenbang and Pokir cycles, the priority
// weights, the proposal categories, the DPRD members and the komisi of each OPD.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { can as allowed } from '../../core/auth/policy.ts';
import { listOpds } from '../master-data/index.ts';
import { listUsers } from '../users/index.ts';
import * as settings from './settings.service.ts';
import { CRITERIA, loadWeights } from './priority.ts';
import { opdLabel } from './plans.pages.ts';
import { date, errorBox, errorsOf, formBody, noticeOf, seeOther, statusOf, type Errors } from './ui.ts';

const anyBody = z.record(z.string(), z.unknown());
const hide = { hide: true } as const;
type E = { errors: Errors; message: string } | null | undefined;

export async function settingsPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const can = (req: FastifyRequest, perm: string) => allowed(req.principal, perm);

  const settingsPage = async (req: FastifyRequest, e?: E) => {
    const pemdaId = req.principal!.pemdaId;
    const [cycles, weights, categories, members, komisi, opdList, dprdUsers] = await Promise.all([
      settings.listCycles(db, pemdaId),
      loadWeights(db, pemdaId),
      settings.listCategories(db, pemdaId, true),
      settings.listMembers(db, pemdaId),
      settings.listOpdKomisi(db, pemdaId),
      listOpds(db, pemdaId),
      listUsers(db, pemdaId, { role: 'dprd', limit: 200 }),
    ]);
    const opds = new Map(opdList.map((o) => [o.id, o]));
    const dt = (d: Date | null) =>
      d ? new Date(new Date(d).getTime() - new Date(d).getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '';
    const manage = can(req, 'planning.dprd.manage');
    return html`${errorBox(e, req)}
<h2>${tr(req, 'pln.settings.cycles')}</h2>
<table class="data"><thead><tr><th>${tr(req, 'pln.year')}</th><th>${tr(req, 'pln.settings.musrenbang_open')}</th><th>${tr(req, 'pln.settings.pokir_window')}</th></tr></thead><tbody>${cycles.map(
      (c) =>
        html`<tr><td>${c.year}</td><td>${c.musrenbang_open ? tr(req, 'common.yes') : tr(req, 'common.no')}</td><td>${date(req, c.pokir_opens_at, true)} – ${date(req, c.pokir_closes_at, true)}</td></tr>`,
    )}</tbody></table>
<form method="post" action="/perencanaan/pengaturan/siklus" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.year')}<input name="year" inputmode="numeric" required value="${cycles[0]?.year ?? ''}"></label>
  <label class="check"><input type="checkbox" name="musrenbang_open" value="true"${cycles[0]?.musrenbang_open ? ' checked' : ''}> ${tr(req, 'pln.settings.musrenbang_open')}</label>
  <label>${tr(req, 'pln.settings.pokir_opens')}<input type="datetime-local" name="pokir_opens_at" value="${dt(cycles[0]?.pokir_opens_at ?? null)}"></label>
  <label>${tr(req, 'pln.settings.pokir_closes')}<input type="datetime-local" name="pokir_closes_at" value="${dt(cycles[0]?.pokir_closes_at ?? null)}"></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.settings.weights')}</h2><p class="muted">${tr(req, 'pln.settings.weights_hint')}</p>
<form method="post" action="/perencanaan/pengaturan/bobot" class="form">${csrfField(req)}
  ${CRITERIA.map((c) => html`<label>${tr(req, `pln.criterion.${c}`)}<input name="${c}" inputmode="numeric" value="${weights[c]}" size="4"></label>`)}
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.settings.categories')}</h2>
<table class="data"><thead><tr><th>${tr(req, 'pln.settings.code')}</th><th>${tr(req, 'pln.settings.name')}</th><th>${tr(req, 'pln.rnode.sub_kegiatan')}</th><th>OPD</th><th>${tr(req, 'common.status')}</th></tr></thead><tbody>${categories.map(
      (c) =>
        html`<tr><td>${c.code}</td><td>${c.name}</td><td>${c.sub_kegiatan_code ?? ''}</td><td>${opdLabel(opds, c.opd_id)}</td><td>${c.active ? tr(req, 'common.active') : tr(req, 'common.inactive')}</td></tr>`,
    )}</tbody></table>
<form method="post" action="/perencanaan/pengaturan/kategori" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.settings.code')}<input name="code" required pattern="[a-z0-9_]{2,40}"></label>
  <label>${tr(req, 'pln.settings.name')}<input name="name" required></label>
  <label>${tr(req, 'pln.rnode.sub_kegiatan')}<input name="sub_kegiatan_code"></label>
  <label>OPD<select name="opd_id"><option value="">—</option>${opdList.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <label class="check"><input type="checkbox" name="active" value="true" checked> ${tr(req, 'common.active')}</label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>
<h2>${tr(req, 'pln.settings.members')}</h2>
<table class="data"><thead><tr><th>${tr(req, 'pln.settings.name')}</th><th>${tr(req, 'pln.pokir.komisi')}</th><th>${tr(req, 'pln.settings.dapil')}</th><th>${tr(req, 'pln.settings.fraksi')}</th></tr></thead><tbody>${members.map(
      (m) => html`<tr><td>${m.name}</td><td>${m.komisi}</td><td>${m.dapil}</td><td>${m.fraksi}</td></tr>`,
    )}</tbody></table>
${
  manage
    ? html`<form method="post" action="/perencanaan/pengaturan/anggota" class="form">${csrfField(req)}
  <label>${tr(req, 'pln.settings.user')}<select name="user_id">${dprdUsers.rows.map((u) => html`<option value="${u.id}">${u.username} · ${u.full_name}</option>`)}</select></label>
  <label>${tr(req, 'pln.settings.name')}<input name="name" required></label>
  <label>${tr(req, 'pln.pokir.komisi')}<select name="komisi">${settings.KOMISI.map((k) => html`<option>${k}</option>`)}</select></label>
  <label>${tr(req, 'pln.settings.dapil')}<input name="dapil"></label>
  <label>${tr(req, 'pln.settings.fraksi')}<input name="fraksi"></label>
  <div class="actions"><button>${tr(req, 'common.save')}</button></div></form>`
    : ''
}
<h2>${tr(req, 'pln.settings.komisi')}</h2>
<table class="data"><tbody>${komisi.map((k) => html`<tr><td>${opdLabel(opds, k.opd_id)}</td><td>${tr(req, 'pln.pokir.komisi')} ${k.komisi}</td></tr>`)}</tbody></table>
${
  manage
    ? html`<form method="post" action="/perencanaan/pengaturan/komisi" class="filters">${csrfField(req)}
  <label>OPD<select name="opd_id">${opdList.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></label>
  <label>${tr(req, 'pln.pokir.komisi')}<select name="komisi">${settings.KOMISI.map((k) => html`<option>${k}</option>`)}</select></label>
  <button>${tr(req, 'common.save')}</button></form>`
    : ''
}`;
  };
  app.get(
    '/perencanaan/pengaturan',
    { config: { auth: { permission: 'planning.settings' } }, schema: hide },
    async (req, reply) =>
      sendPage(req, reply, {
        title: tr(req, 'pln.settings.title'),
        body: await settingsPage(req),
        notice: noticeOf(req),
      }),
  );
  const settingsPost = (
    path: string,
    perm: string,
    fn: (req: FastifyRequest, b: Record<string, unknown>) => Promise<unknown>,
  ) =>
    app.post(
      `/perencanaan/pengaturan/${path}`,
      { config: { auth: { permission: perm } }, schema: { ...hide, body: anyBody } },
      async (req, reply) => {
        try {
          await fn(req, formBody(req.body));
          return seeOther(reply, '/perencanaan/pengaturan', 'pln.notice.saved');
        } catch (err) {
          const e = errorsOf(req, err);
          if (!e) throw err;
          return sendPage(req, reply, {
            title: tr(req, 'pln.settings.title'),
            body: await settingsPage(req, e),
            status: statusOf(err),
          });
        }
      },
    );
  settingsPost('siklus', 'planning.settings', (req, b) =>
    settings.setCycle(db, req.principal!, Number(b.year), {
      musrenbang_open: b.musrenbang_open === 'true',
      pokir_opens_at: (b.pokir_opens_at as string) ?? null,
      pokir_closes_at: (b.pokir_closes_at as string) ?? null,
    }),
  );
  settingsPost('bobot', 'planning.settings', (req, b) => settings.setWeights(db, req.principal!, b));
  settingsPost('kategori', 'planning.settings', (req, b) =>
    settings.setCategory(db, req.principal!, String(b.code ?? ''), {
      ...(b as object),
      active: b.active === 'true',
    } as never),
  );
  settingsPost('anggota', 'planning.dprd.manage', (req, b) => settings.upsertMember(db, req.principal!, b as never));
  settingsPost('komisi', 'planning.dprd.manage', (req, b) => settings.setOpdKomisi(db, req.principal!, b as never));
}
