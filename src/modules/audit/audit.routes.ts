// The audit trail for admin and inspektorat: a filterable page and a JSON API.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ModuleContext } from '../../core/module.ts';
import { html } from '../../core/http/html.ts';
import { sendPage, tr } from '../../core/http/layout.ts';
import { formatDate } from '../../core/i18n/i18n.ts';
import { publishCheckpoint, verifyAuditChain } from '../../core/audit/verify.ts';
import { auditKeys, latestCheckpoint, sealAll } from '../../core/audit/seal.ts';
import { listPemda } from '../../core/tenancy.ts';
import { listOpds } from '../master-data/index.ts';
import { listUsers } from '../users/index.ts';
import { actionWords, entityWords, fieldLabel, objectOf, valueText } from './readable.ts';
import { auditEntities, auditFilterSchema, changedKeys, queryAudit } from './audit.queries.ts';

const rowOut = z.object({
  seq: z.string(),
  at: z.date(),
  actor_id: z.number().nullable(),
  actor_name: z.string(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string(),
  opd_id: z.number().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  hash: z.string(),
});

export async function auditRoutes(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  /** Seal what has committed, then verify records, checkpoints and signatures. */
  const sealAndVerify = async (pemdaId: number) => {
    const keys = auditKeys(ctx.config);
    await sealAll(db, keys, { pemdaId, waitMs: 5_000 });
    return verifyAuditChain(db, pemdaId, { keys });
  };

  app.get(
    '/api/v1/audit',
    {
      config: { auth: { permission: 'audit.read' } },
      schema: {
        tags: ['audit'],
        summary: 'Audit records, newest first (filter by OPD, user, entity, dates)',
        querystring: auditFilterSchema,
        response: { 200: z.object({ rows: z.array(rowOut) }) },
      },
    },
    async (req) => ({ rows: await queryAudit(db, req.principal!.pemdaId, req.query) }),
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { auth: { permission: 'audit.read' } },
      schema: {
        tags: ['audit'],
        summary:
          "Seal the committed records, then verify the Pemda's audit trail: every record's hash, the seal chain, the signed checkpoints",
        response: {
          200: z.object({
            ok: z.boolean(),
            checked: z.number(),
            bad_seq: z.string().optional(),
            reason: z.string().optional(),
          }),
        },
      },
    },
    async (req) => {
      const r = await sealAndVerify(req.principal!.pemdaId);
      return { ok: r.ok, checked: r.checked, bad_seq: r.badSeq, reason: r.reason };
    },
  );

  app.get(
    '/api/v1/audit/checkpoints',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['audit'],
        summary:
          "The latest signed checkpoint of each Pemda's audit trail (public): keep it, then `padu audit verify --checkpoint FILE` detects a rewritten or truncated history",
        response: {
          200: z.object({
            checkpoints: z.array(
              z.object({
                pemda_id: z.number(),
                pemda_code: z.string().optional(),
                no: z.string(),
                seq_from: z.string(),
                seq_to: z.string(),
                records: z.string(),
                total: z.string(),
                gaps: z.array(z.string()),
                head: z.string(),
                sealed_at: z.string(),
                key_id: z.string(),
                signature: z.string(),
                statement: z.string(),
                public_key: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (_req, reply) => {
      const keys = auditKeys(ctx.config);
      const out = [];
      for (const p of await listPemda(db)) {
        const c = await latestCheckpoint(db, p.id);
        if (c) out.push(publishCheckpoint(c, keys.signer.publicKeyPem, p.code));
      }
      reply.header('content-disposition', 'inline; filename="padu-audit-checkpoint.json"');
      return { checkpoints: out };
    },
  );

  app.get(
    '/audit',
    {
      config: { auth: { permission: 'audit.read' } },
      schema: { hide: true, querystring: auditFilterSchema.extend({ verify: z.string().optional() }) },
    },
    async (req, reply) => {
      const pemdaId = req.principal!.pemdaId;
      const f = req.query;
      const [rows, opds, users, entities] = await Promise.all([
        queryAudit(db, pemdaId, f),
        listOpds(db, pemdaId),
        listUsers(db, pemdaId, { limit: 1000 }),
        auditEntities(db, pemdaId),
      ]);
      const opdName = new Map(opds.map((o) => [o.id, o.shortName || o.name]));
      let verifyNote = '';
      if (f.verify) {
        const r = await sealAndVerify(pemdaId);
        verifyNote = r.ok
          ? tr(req, 'audit.verify_ok', { count: r.checked })
          : tr(req, 'audit.verify_bad', { seq: r.badSeq ?? '?', reason: r.reason ?? '' });
      }
      const qs = (extra: Record<string, string | number | undefined>) =>
        new URLSearchParams(
          Object.entries({ opd_id: f.opd_id, actor_id: f.actor_id, entity: f.entity, from: f.from, to: f.to, ...extra })
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => [k, String(v)] as [string, string]),
        ).toString();
      const last = rows.at(-1);
      const body = html`
<form method="get" class="filters">
  <label>${tr(req, 'audit.opd')}<select name="opd_id"><option value="">—</option>${opds.map((o) => html`<option value="${o.id}" ${o.id === f.opd_id ? 'selected' : ''}>${o.name}</option>`)}</select></label>
  <label>${tr(req, 'audit.user')}<select name="actor_id"><option value="">—</option>${users.rows.map((u) => html`<option value="${u.id}" ${u.id === f.actor_id ? 'selected' : ''}>${u.full_name ?? u.username}</option>`)}</select></label>
  <label>${tr(req, 'audit.entity')}<select name="entity"><option value="">—</option>${entities.map((e) => html`<option value="${e}" ${e === f.entity ? 'selected' : ''}>${entityWords(req, e)}</option>`)}</select></label>
  <label>${tr(req, 'audit.from')}<input type="date" name="from" value="${f.from ?? ''}"></label>
  <label>${tr(req, 'audit.to')}<input type="date" name="to" value="${f.to ?? ''}"></label>
  <button>${tr(req, 'common.filter')}</button>
  <a class="button" href="/audit?${qs({ verify: 1 })}">${tr(req, 'audit.verify')}</a>
</form>
${verifyNote ? html`<p class="notice" role="status">${verifyNote}</p>` : ''}
<table class="data audit"><thead><tr><th>#</th><th>${tr(req, 'audit.at')}</th><th>${tr(req, 'audit.actor')}</th><th>${tr(req, 'audit.action')}</th><th>${tr(req, 'audit.entity')}</th><th>${tr(req, 'audit.opd')}</th><th>${tr(req, 'audit.changes')}</th></tr></thead>
<tbody>${
        rows.length
          ? rows.map((r) => {
              const keys = changedKeys(r.before, r.after);
              const b = (r.before ?? {}) as Record<string, unknown>;
              const a = (r.after ?? {}) as Record<string, unknown>;
              return html`<tr><td>${r.seq}</td><td>${formatDate(req.lang, r.at, true)}</td><td>${r.actor_name}</td><td>${actionWords(req, r.action)}</td><td>${objectOf(req, r.entity, r.entity_id ?? null, r.before, r.after)}</td><td>${r.opd_id ? (opdName.get(r.opd_id) ?? r.opd_id) : ''}</td>
<td>${
                keys.length
                  ? html`<details><summary>${keys
                      .slice(0, 4)
                      .map((k) => fieldLabel(req, k))
                      .join(
                        ', ',
                      )}${keys.length > 4 ? '…' : ''}</summary><dl class="diff">${keys.map((k) => html`<dt>${fieldLabel(req, k)}</dt><dd><del>${valueText(req, k, b[k])}</del> → <ins>${valueText(req, k, a[k])}</ins></dd>`)}</dl></details>`
                  : ''
              }</td></tr>`;
            })
          : html`<tr><td colspan="7">${tr(req, 'common.empty')}</td></tr>`
      }</tbody></table>
${last && rows.length === f.limit ? html`<p class="pager"><a href="/audit?${qs({ before_seq: last.seq })}">${tr(req, 'common.next')}</a></p>` : ''}
`;
      return sendPage(req, reply, { title: tr(req, 'audit.title'), body });
    },
  );
}
