// Pages of catalogue proposals (OPD → Tim Data → TAPD) and of the catalogue import.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intIn } from '../../core/number.ts';
import type { ModuleContext } from '../../core/module.ts';
import { html, type Html } from '../../core/http/html.ts';
import { csrfField, sendPage, tr } from '../../core/http/layout.ts';
import { notFound } from '../../core/errors.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { isOpdScoped } from '../../core/roles.ts';
import { listOpds } from '../master-data/index.ts';
import { can } from '../../core/auth/policy.ts';
import {
  KINDS,
  PROPOSAL_STATUSES,
  approveProposal,
  createProposal,
  defaultYear,
  getCurrentPrice,
  getItemDetail,
  getProposal,
  listProposals,
  rejectProposal,
  resubmitProposal,
  returnProposal,
  verifyProposal,
  type CatalogueKind,
  type PricedItem,
  type Proposal,
} from './catalogue.service.ts';
import { IMPORT_COLUMNS, templateCsv, type ImportError } from './import.ts';
import { JOB_PAGE_FROM_BYTES, startImportJob } from './import-jobs.ts';
import { importErrorHeadings } from './import-jobs.pages.ts';
import { importErrorTable } from '../../core/jobs/job-page.ts';
import { proposalOpd } from './catalogue.routes.ts';
import { IMPORT_BODY_LIMIT, uploadedFile } from '../../core/http/upload.ts';
import {
  type Errors,
  type Form,
  PAGE_SIZE,
  page,
  formBody,
  idParams,
  versionFields,
  fieldErr,
  listErr,
  formProblem,
  qs,
  money,
  tkdnText,
  kindLabel,
  statusBadge,
  diffPercent,
  decodeNotice,
  yearOptionsOf,
} from './catalogue.pages.common.ts';

export async function catalogueProposalPages(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const yearOptions = (pemdaId: number, selected: number) => yearOptionsOf(db, pemdaId, selected);
  // ---- proposals -------------------------------------------------------------------------------
  const opdNames = async (pemdaId: number) =>
    new Map((await listOpds(db, pemdaId)).map((o) => [o.id, o.shortName ? `${o.name}` : o.name]));

  app.get(
    '/catalogue/proposals',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        ...page('Page: proposals list (filter by status and year)'),
        querystring: z.object({
          status: z
            .enum(PROPOSAL_STATUSES)
            .optional()
            .or(z.literal('').transform(() => undefined)),
          year: intIn(
            z
              .number()
              .int()
              .min(2000)
              .max(2100)
              .optional()
              .or(z.literal('').transform(() => undefined)),
          ),
          page: intIn(z.number().int().min(1).max(100000).default(1)),
        }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const f = req.query;
      const { rows, total } = await listProposals(db, p, {
        status: f.status,
        year: f.year,
        limit: PAGE_SIZE,
        offset: (f.page - 1) * PAGE_SIZE,
      });
      const opds = await opdNames(p.pemdaId);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const link = (page: number) => `/catalogue/proposals?${qs({ status: f.status, year: f.year, page })}`;
      const body = html`
<form method="get" action="/catalogue/proposals" class="filters">
  <label>${tr(req, 'cat.field.status')} <select name="status"><option value="">${tr(req, 'cat.all_statuses')}</option>${PROPOSAL_STATUSES.map(
    (s) => html`<option value="${s}" ${s === f.status ? 'selected' : ''}>${tr(req, `cat.status.${s}`)}</option>`,
  )}</select></label>
  <label>${tr(req, 'cat.field.year')} <input name="year" inputmode="numeric" size="6" value="${f.year ?? ''}"></label>
  <button>${tr(req, 'common.filter')}</button>
  ${can(p, 'cat.propose') ? html`<a class="button" href="/catalogue/proposals/new">${tr(req, 'cat.action.propose_new')}</a>` : ''}
</form>
<p class="muted">${tr(req, 'common.total_rows', { count: total })}</p>
<div class="table-wrap"><table class="data"><thead><tr>
  <th>#</th><th>${tr(req, 'cat.field.year')}</th><th>${tr(req, 'cat.field.kind')}</th><th>${tr(req, 'cat.field.opd')}</th><th>${tr(req, 'cat.field.name')}</th>
  <th class="num">${tr(req, 'cat.field.proposed_price')}</th><th>${tr(req, 'cat.field.status')}</th><th>${tr(req, 'cat.field.proposed_at')}</th>
</tr></thead><tbody>${
        rows.length
          ? rows.map(
              (
                r,
              ) => html`<tr><td><a href="/catalogue/proposals/${r.id}">#${r.id}</a></td><td>${r.year}</td><td>${r.kind}</td><td>${opds.get(r.opdId) ?? r.opdId}</td>
  <td><a href="/catalogue/proposals/${r.id}">${r.name}</a><br><span class="muted">${r.itemId ? tr(req, 'cat.action.propose_change') : tr(req, 'cat.proposal.new_item')}${r.code ? ` · ${r.code}` : ''}</span></td>
  <td class="num">${money(req, r.price)} / ${r.unit}</td><td>${statusBadge(req, r.status)}</td><td>${formatDate(req.lang, r.proposedAt)}</td></tr>`,
            )
          : html`<tr><td colspan="8">${tr(req, 'common.empty')}</td></tr>`
      }</tbody></table></div>
<p class="pager">${tr(req, 'common.page_of', { page: f.page, pages })}
  ${f.page > 1 ? html`<a href="${link(f.page - 1)}">${tr(req, 'common.prev')}</a>` : ''}
  ${f.page < pages ? html`<a href="${link(f.page + 1)}">${tr(req, 'common.next')}</a>` : ''}</p>`;
      return sendPage(req, reply, { title: tr(req, 'cat.proposals.title'), body });
    },
  );

  /** Proposal fields (new or resubmitted): the change form when `base` is given. */
  const proposalFields = async (
    req: FastifyRequest,
    v: Form,
    errors: Errors,
    o: { base?: PricedItem; isNew: boolean },
  ) => {
    const p = req.principal!;
    const year = Number(v.year) || (await defaultYear(db, p.pemdaId));
    return html`
  ${
    o.base
      ? html`<p>${tr(req, 'cat.proposal.change_of', { code: o.base.code, name: o.base.name, version: o.base.version })}: <b>${money(req, o.base.price)}</b> / ${o.base.unit}</p>
  ${o.isNew ? html`<input type="hidden" name="item_id" value="${o.base.itemId}">` : ''}${fieldErr(errors, 'item_id')}`
      : o.isNew
        ? html`<label>${tr(req, 'cat.field.year')}<select name="year">${await yearOptions(p.pemdaId, year)}</select>${fieldErr(errors, 'year')}</label>
  <label>${tr(req, 'cat.field.kind')}<select name="kind">${KINDS.filter((k) => k !== 'SBU').map((k) => html`<option value="${k}" ${k === v.kind ? 'selected' : ''}>${kindLabel(req, k)}</option>`)}</select>${fieldErr(errors, 'kind')}</label>
  <label>${tr(req, 'cat.field.code')}<input name="code" value="${v.code ?? ''}" placeholder="1.1.12.01.01.0001"><span class="muted">${tr(req, 'cat.proposal.code_hint')}</span>${fieldErr(errors, 'code')}</label>`
        : html`<label>${tr(req, 'cat.field.code')}<input name="code" value="${v.code ?? ''}"><span class="muted">${tr(req, 'cat.proposal.code_hint')}</span>${fieldErr(errors, 'code')}</label>`
  }
  <label>${tr(req, 'cat.field.name')}<input name="name" required maxlength="300" value="${v.name ?? ''}">${fieldErr(errors, 'name')}</label>
  <label>${tr(req, 'cat.field.spec')}<textarea name="spec" rows="2" maxlength="2000">${v.spec ?? ''}</textarea>${fieldErr(errors, 'spec')}</label>
  <label>${tr(req, 'cat.field.unit')}<input name="unit" required maxlength="50" value="${v.unit ?? ''}">${fieldErr(errors, 'unit')}</label>
  <label>${tr(req, 'cat.field.proposed_price')}<input name="price" required inputmode="numeric" value="${v.price ?? ''}">${fieldErr(errors, 'price')}</label>
  <label>${tr(req, 'cat.field.tkdn')}<input name="tkdn" inputmode="decimal" value="${v.tkdn ?? ''}">${fieldErr(errors, 'tkdn')}</label>
  <label>${tr(req, 'cat.field.accounts')}<textarea name="accounts" rows="3" required>${v.accounts ?? ''}</textarea>${listErr(errors, 'accounts')}</label>
  <label>${tr(req, 'cat.field.justification')}<textarea name="justification" rows="4" required minlength="10" maxlength="4000">${v.justification ?? ''}</textarea>${fieldErr(errors, 'justification')}</label>
  ${fieldErr(errors, 'opd_id')}`;
  };

  const newProposalPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    v: Form,
    errors: Errors,
    status = 200,
    message?: string,
  ) => {
    const base = v.item_id ? await getCurrentPrice(db, req.principal!.pemdaId, Number(v.item_id)) : undefined;
    if (v.item_id && !base) throw notFound();
    const body = html`<form method="post" action="/catalogue/proposals/new" class="form">
  ${csrfField(req)}
  ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
  ${await proposalFields(req, v, errors, { base, isNew: true })}
  <div class="actions"><button type="submit">${tr(req, 'common.save')}</button> <a href="/catalogue/proposals">${tr(req, 'common.cancel')}</a></div>
</form>`;
    return sendPage(req, reply, { title: tr(req, 'cat.proposal.new_title'), body, status });
  };

  app.get(
    '/catalogue/proposals/new',
    {
      config: { auth: { permission: 'cat.propose' } },
      schema: {
        ...page('Page: new proposal form'),
        querystring: z.object({ item: intIn(z.number().int().positive().max(2147483647).optional()) }),
      },
    },
    async (req, reply) => {
      let v: Form = { kind: 'SSH' };
      if (req.query.item) {
        const base = await getCurrentPrice(db, req.principal!.pemdaId, req.query.item);
        if (!base) throw notFound();
        v = {
          item_id: String(base.itemId),
          name: base.name,
          spec: base.spec,
          unit: base.unit,
          price: base.price,
          tkdn: base.tkdn ?? '',
          accounts: base.accounts.join('\n'),
        };
      }
      return newProposalPage(req, reply, v, {});
    },
  );

  app.post(
    '/catalogue/proposals/new',
    {
      config: { auth: { permission: 'cat.propose', opd: (req) => req.principal!.opdId } },
      schema: { ...page('Form: submit a proposal'), body: formBody },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        const prop = await createProposal(db, req.principal!, {
          item_id: b.item_id ? b.item_id : null,
          year: b.item_id ? undefined : (b.year ?? ''),
          kind: b.item_id ? undefined : ((b.kind ?? '') as CatalogueKind),
          code: b.item_id ? null : (b.code ?? ''),
          ...versionFields(b),
          justification: b.justification ?? '',
        });
        return reply.redirect(`/catalogue/proposals/${prop.id}?done=propose`, 303);
      } catch (err) {
        const pr = formProblem(req, err);
        if (!pr) throw err;
        return newProposalPage(req, reply, b, pr.errors, pr.status, pr.message);
      }
    },
  );

  const proposalPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    prop: Proposal,
    o: { errors?: Errors; form?: Form; status?: number; message?: string; done?: string } = {},
  ) => {
    const p = req.principal!;
    const errors = o.errors ?? {};
    const f = o.form ?? {};
    const opds = await opdNames(p.pemdaId);
    const base = prop.itemId ? await getItemDetail(db, p.pemdaId, prop.itemId) : undefined;
    const baseVersion = base?.versions.find((v) => v.version === prop.baseVersion);
    const actionForm = (action: string, label: string, inner: Html | string, cls = '') =>
      html`<form method="post" action="/catalogue/proposals/${prop.id}/${action}" class="form">${csrfField(req)}<input type="hidden" name="version" value="${prop.version}">${inner}<div class="actions"><button type="submit" class="${cls}">${label}</button></div></form>`;
    const forms: Array<Html> = [];
    if (prop.status === 'submitted' && can(p, 'cat.verify')) {
      forms.push(
        actionForm(
          'verify',
          tr(req, 'cat.action.verify'),
          html`${!prop.itemId ? html`<label>${tr(req, 'cat.field.code')}<input name="code" value="${f.code ?? prop.code ?? ''}" placeholder="1.1.12.01.01.0001">${fieldErr(errors, 'code')}</label>` : ''}
<label>${tr(req, 'cat.field.verify_note')}<input name="note" maxlength="1000" value="${f.note ?? ''}">${fieldErr(errors, 'note')}</label>${listErr(errors, 'accounts')}`,
        ),
        actionForm(
          'return',
          tr(req, 'cat.action.return'),
          html`<label>${tr(req, 'cat.field.reason')}<input name="note" required maxlength="1000">${fieldErr(errors, 'return.note')}</label>`,
          'secondary',
        ),
      );
    }
    if (prop.status === 'verified' && can(p, 'cat.approve')) {
      forms.push(
        actionForm(
          'approve',
          tr(req, 'cat.action.approve'),
          html`<label>${tr(req, 'cat.field.decision_note')}<input name="note" maxlength="1000">${fieldErr(errors, 'note')}</label>${listErr(errors, 'accounts')}${fieldErr(errors, 'code')}`,
        ),
        actionForm(
          'reject',
          tr(req, 'cat.action.reject'),
          html`<label>${tr(req, 'cat.field.reason')}<input name="reason" required maxlength="1000">${fieldErr(errors, 'reason')}</label>`,
          'secondary',
        ),
      );
    }
    if (prop.status === 'returned' && can(p, 'cat.propose') && (!isOpdScoped(p.role) || p.opdId === prop.opdId)) {
      const v: Form = o.form ?? {
        code: prop.code ?? '',
        name: prop.name,
        spec: prop.spec,
        unit: prop.unit,
        price: prop.price,
        tkdn: prop.tkdn ?? '',
        accounts: prop.accounts.join('\n'),
        justification: prop.justification,
      };
      forms.push(
        actionForm(
          'resubmit',
          tr(req, 'cat.action.resubmit'),
          await proposalFields(req, v, errors, { base: base?.current, isNew: false }),
        ),
      );
    }
    const body = html`
<dl class="detail">
  <dt>${tr(req, 'cat.field.status')}</dt><dd>${statusBadge(req, prop.status)}</dd>
  <dt>${tr(req, 'cat.field.opd')}</dt><dd>${opds.get(prop.opdId) ?? prop.opdId}</dd>
  <dt>${tr(req, 'cat.field.year')}</dt><dd>${prop.year}</dd>
  <dt>${tr(req, 'cat.field.kind')}</dt><dd>${kindLabel(req, prop.kind)}</dd>
  <dt>${tr(req, 'cat.field.code')}</dt><dd>${prop.itemId && base ? html`<a href="/catalogue/items/${prop.itemId}">${prop.code}</a>` : (prop.code ?? '—')}</dd>
  <dt>${tr(req, 'cat.field.name')}</dt><dd>${prop.name}</dd>
  <dt>${tr(req, 'cat.field.spec')}</dt><dd>${prop.spec || '—'}</dd>
  <dt>${tr(req, 'cat.field.unit')}</dt><dd>${prop.unit}</dd>
  ${baseVersion ? html`<dt>${tr(req, 'cat.field.base_price')}</dt><dd>${money(req, baseVersion.price)} (${tr(req, 'cat.field.version')} ${baseVersion.version})</dd>` : ''}
  <dt>${tr(req, 'cat.field.proposed_price')}</dt><dd><b>${money(req, prop.price)}</b>${baseVersion ? ` (${diffPercent(baseVersion.price, prop.price)})` : ''}</dd>
  <dt>${tr(req, 'cat.field.tkdn')}</dt><dd>${tkdnText(prop.tkdn)}</dd>
  <dt>${tr(req, 'cat.field.accounts_short')}</dt><dd>${prop.accounts.map((a, i) => html`${i ? ', ' : ''}${a}`)}</dd>
  <dt>${tr(req, 'cat.field.justification_short')}</dt><dd>${prop.justification}</dd>
</dl>
<h2>${tr(req, 'cat.proposal.history')}</h2>
<ul>
  <li>${tr(req, 'cat.proposal.proposed_by', { name: prop.proposedByName })} · ${formatDate(req.lang, prop.proposedAt, true)}</li>
  ${prop.verifiedByName ? html`<li>${tr(req, 'cat.proposal.verified_by', { name: prop.verifiedByName })} · ${formatDate(req.lang, prop.verifiedAt, true)}${prop.verifyNote ? html` — ${prop.verifyNote}` : ''}</li>` : ''}
  ${prop.decidedByName ? html`<li>${tr(req, 'cat.proposal.decided_by', { name: prop.decidedByName })} · ${formatDate(req.lang, prop.decidedAt, true)}${prop.decisionNote ? html` — ${prop.decisionNote}` : ''}</li>` : ''}
  ${prop.resultItemId ? html`<li><a href="/catalogue/items/${prop.resultItemId}">${tr(req, 'cat.proposal.result', { code: prop.code ?? '', version: prop.resultVersion ?? '' })}</a></li>` : ''}
</ul>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
${forms}
<p><a href="/catalogue/proposals">${tr(req, 'common.back')}</a></p>`;
    return sendPage(req, reply, {
      title: tr(req, 'cat.proposal.title', { id: prop.id }),
      notice: o.done ? tr(req, 'common.saved') : undefined,
      body,
      status: o.status,
    });
  };

  app.get(
    '/catalogue/proposals/:id',
    {
      config: { auth: { permission: 'cat.read' } },
      schema: {
        ...page('Page: a proposal with its workflow actions'),
        params: idParams,
        querystring: z.object({ done: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const prop = await getProposal(db, req.principal!, req.params.id);
      if (!prop) throw notFound();
      return proposalPage(req, reply, prop, { done: req.query.done });
    },
  );

  const actions: Array<{
    action: string;
    permission: string;
    opd?: boolean;
    run: (id: number, req: FastifyRequest, b: Form) => Promise<Proposal>;
  }> = [
    {
      action: 'verify',
      permission: 'cat.verify',
      run: (id, req, b) =>
        verifyProposal(db, req.principal!, id, {
          version: b.version ?? '',
          note: b.note || undefined,
          code: b.code ?? null,
        }),
    },
    {
      action: 'return',
      permission: 'cat.verify',
      run: (id, req, b) => returnProposal(db, req.principal!, id, { version: b.version ?? '', note: b.note ?? '' }),
    },
    {
      action: 'approve',
      permission: 'cat.approve',
      run: (id, req, b) =>
        approveProposal(db, req.principal!, id, { version: b.version ?? '', note: b.note || undefined }),
    },
    {
      action: 'reject',
      permission: 'cat.approve',
      run: (id, req, b) => rejectProposal(db, req.principal!, id, { version: b.version ?? '', reason: b.reason ?? '' }),
    },
    {
      action: 'resubmit',
      permission: 'cat.propose',
      opd: true,
      run: (id, req, b) =>
        resubmitProposal(db, req.principal!, id, {
          version: b.version ?? '',
          code: b.code ?? undefined,
          name: b.name,
          spec: b.spec,
          unit: b.unit,
          price: b.price,
          tkdn: b.tkdn ?? undefined,
          accounts: b.accounts,
          justification: b.justification,
        }),
    },
  ];
  for (const a of actions) {
    app.post(
      `/catalogue/proposals/:id/${a.action}`,
      {
        config: { auth: { permission: a.permission, ...(a.opd ? { opd: proposalOpd(db) } : {}) } },
        schema: { ...page(`Form: ${a.action} a proposal`), params: idParams, body: formBody },
      },
      async (req, reply) => {
        try {
          await a.run(req.params.id, req, req.body);
          return reply.redirect(`/catalogue/proposals/${req.params.id}?done=${a.action}`, 303);
        } catch (err) {
          const pr = formProblem(req, err);
          if (!pr) throw err;
          const prop = await getProposal(db, req.principal!, req.params.id);
          if (!prop) throw notFound();
          // the return form's note is its own field
          const errors =
            a.action === 'return' && pr.errors.note ? { ...pr.errors, 'return.note': pr.errors.note } : pr.errors;
          return proposalPage(req, reply, prop, {
            errors,
            form: a.action === 'resubmit' ? req.body : { code: req.body.code ?? '', note: req.body.note ?? '' },
            status: pr.status,
            message: pr.message,
          });
        }
      },
    );
  }

  // ---- import --------------------------------------------------------------------------------
  const importPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    o: { year?: number; notice?: string; message?: string; errors?: ImportError[]; status?: number } = {},
  ) => {
    const p = req.principal!;
    const year = o.year ?? (await defaultYear(db, p.pemdaId));
    const body = html`
<p class="muted">${tr(req, 'cat.import.hint', { columns: IMPORT_COLUMNS.map((c) => c.header + (c.required ? '*' : '')).join(', ') })}</p>
<p><a href="/catalogue/import/template.csv">${tr(req, 'cat.action.download_template')}</a></p>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
${importErrorTable(o.errors ?? [], importErrorHeadings(req))}
<form method="post" action="/catalogue/import" enctype="multipart/form-data" class="form">
  ${csrfField(req)}
  <label>${tr(req, 'cat.field.year')}<select name="year">${await yearOptions(p.pemdaId, year)}</select></label>
  <label>${tr(req, 'cat.field.file')}<input name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></label>
  <div class="actions"><button type="submit">${tr(req, 'common.import')}</button> <a href="/catalogue">${tr(req, 'common.cancel')}</a></div>
</form>`;
    return sendPage(req, reply, { title: tr(req, 'cat.import.title'), body, notice: o.notice, status: o.status });
  };

  app.get(
    '/catalogue/import',
    {
      config: { auth: { permission: 'cat.manage' } },
      schema: { ...page('Page: import form'), querystring: z.object({ done: z.string().optional() }) },
    },
    async (req, reply) =>
      importPage(req, reply, { notice: req.query.done ? decodeNotice(req.query.done, req) : undefined }),
  );

  app.get(
    '/catalogue/import/template.csv',
    { config: { auth: { permission: 'cat.manage' } }, schema: page('The import CSV template') },
    async (_req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="standar-harga-template.csv"')
        .send(templateCsv()),
  );

  app.post(
    '/catalogue/import',
    {
      config: { auth: { permission: 'cat.manage' } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: page('Form: upload an import file'),
    },
    async (req, reply) => {
      const yearField = (req.body as { year?: unknown } | undefined)?.year;
      const year = typeof yearField === 'string' && /^\d{4}$/.test(yearField) ? Number(yearField) : undefined;
      let file: Buffer;
      try {
        file = uploadedFile(req.body);
      } catch {
        return importPage(req, reply, { year, message: tr(req, 'cat.import.no_file'), status: 400 });
      }
      if (!year) return importPage(req, reply, { message: tr(req, 'cat.error.year'), status: 400 });
      // a large file continues as a job whose progress page refreshes itself; a small one answers here
      const job = await startImportJob(db, req.principal!, file, { year, lang: req.lang });
      if (file.length >= JOB_PAGE_FROM_BYTES) return reply.redirect(`/catalogue/import/jobs/${job.id}`, 303);
      const res = await job.finished;
      if (!res.ok)
        return importPage(req, reply, {
          year,
          message: tr(req, 'cat.import.failed', { count: res.errors.length }),
          errors: res.errors,
          status: 400,
        });
      return reply.redirect(`/catalogue/import?done=${res.created}.${res.updated}.${res.unchanged}`, 303);
    },
  );
}
