// Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests (GET
// with the spec's filters, POST with an api_key), one request, tokens. JSON or XML by the path's
// extension (.json default, .xml), the spec's field names, statuses open/closed, and errors as
// the spec's list of {code, description}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { ModuleContext } from '../../core/module.ts';
import { AppError } from '../../core/errors.ts';
import { issueMessage, tr } from '../../core/http/layout.ts';
import { hitRateLimit } from '../../core/http/rate-limit.ts';
import { systemPrincipal } from '../../core/roles.ts';
import { listRegions } from '../master-data/index.ts';
import { publicReportIn } from './cc.schema.ts';
import * as inc from './incidents.service.ts';
import { publicStatuses, type PublicStatus } from './queries.service.ts';
import { clientOfKey, kecamatanAt, publicPemda } from './open311.service.ts';
import { TRACKING_RE } from './incidents.service.ts';

type Format = 'json' | 'xml';
const SPEC = 'http://wiki.open311.org/GeoReport_v2';

// ---- XML -------------------------------------------------------------------------------------------
const esc = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
function xmlValue(name: string, v: unknown): string {
  if (v === null || v === undefined) return `<${name}/>`;
  if (Array.isArray(v)) return `<${name}>${v.map((x) => xmlValue(singular(name), x)).join('')}</${name}>`;
  if (typeof v === 'object')
    return `<${name}>${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => xmlValue(k, x))
      .join('')}</${name}>`;
  return `<${name}>${esc(String(v))}</${name}>`;
}
const SINGULAR: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};
const singular = (n: string) => SINGULAR[n] ?? 'item';
const toXml = (root: string, body: unknown) => `<?xml version="1.0" encoding="utf-8"?>\n${xmlValue(root, body)}`;

function send(reply: FastifyReply, format: Format, root: string, body: unknown, status = 200): FastifyReply {
  reply.code(status).header('access-control-allow-origin', '*');
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, body));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** "services.xml" → ['services', 'xml']; no extension → json. Unknown extensions → null. */
function splitFormat(s: string): [string, Format] | null {
  const m = /^(.*?)(?:\.(json|xml))?$/.exec(s);
  if (!m) return null;
  return [m[1]!, (m[2] as Format | undefined) ?? 'json'];
}

/** The `.:format` of a path: json or xml (anything else is not found). */
const fmtOf = (f: string): [string, Format] | null => (f === 'json' || f === 'xml' ? ['', f] : null);

// ---- formatting ------------------------------------------------------------------------------------
const iso = (d: Date | string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

function requestOut(req: FastifyRequest, base: string, s: PublicStatus) {
  return {
    service_request_id: s.tracking_code,
    status: s.status,
    status_notes: tr(req, s.status_note_key, { opd: s.opds.join(', ') }),
    service_name: s.category_name,
    service_code: s.category_code,
    description: s.description,
    agency_responsible: s.opds.join(', '),
    service_notice: '',
    requested_datetime: iso(s.requested_at),
    updated_datetime: iso(s.updated_at),
    expected_datetime: null,
    address: [s.address, s.kelurahan, s.kecamatan].filter(Boolean).join(', '),
    address_id: null,
    zipcode: null,
    lat: s.lat === null ? null : Number(s.lat),
    long: s.lon === null ? null : Number(s.lon),
    media_url: s.has_photo ? `${base}/lapor/foto/${s.tracking_code}` : null,
  };
}

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

const listQuery = z.object({
  jurisdiction_id: z.string().max(10).optional(),
  service_request_id: z.string().max(2000).optional(),
  service_code: z.string().max(500).optional(),
  start_date: z.iso.datetime({ offset: true, error: 'cc.error.o311_date' }).optional(),
  end_date: z.iso.datetime({ offset: true, error: 'cc.error.o311_date' }).optional(),
  status: z
    .string()
    .max(20)
    .regex(/^(open|closed)(,(open|closed))?$/, { error: 'cc.error.o311_status' })
    .optional(),
});

export async function open311Routes(appIn: FastifyInstance, ctx: ModuleContext): Promise<void> {
  const app = appIn.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const tags = ['open311'];
  const cfg = { auth: 'public' as const };

  // errors in the spec's format, whatever went wrong
  const fail = (req: FastifyRequest, reply: FastifyReply, format: Format, err: unknown) => {
    let status = 500;
    let descriptions: string[] = [tr(req, 'error.internal')];
    if (err instanceof AppError) {
      status = err.status;
      descriptions = err.fields.length
        ? err.fields.map((f) => `${f.field}: ${/\s/.test(f.message) ? f.message : tr(req, f.message, f.params)}`)
        : [tr(req, err.messageKey, err.params)];
    } else if (err instanceof z.ZodError) {
      status = 400;
      descriptions = err.issues.map((i) => `${i.path.join('.')}: ${issueMessage(req, i)}`);
    } else req.log.error({ err }, 'open311');
    return send(
      reply,
      format,
      'errors',
      descriptions.map((description) => ({ code: status, description })),
      status,
    );
  };
  const handle = async (req: FastifyRequest, reply: FastifyReply, format: Format, fn: () => Promise<FastifyReply>) => {
    try {
      return await fn();
    } catch (err) {
      return fail(req, reply, format, err);
    }
  };

  const discovery = (req: FastifyRequest, reply: FastifyReply, format: Format) =>
    send(reply, format, 'discovery', {
      changeset: '2026-11-30T00:00:00Z',
      contact: tr(req, 'cc.o311.contact'),
      key_service: tr(req, 'cc.o311.key_service'),
      endpoints: [
        {
          specification: SPEC,
          url: `${baseUrl(req)}/open311/v2`,
          changeset: '2026-11-30T00:00:00Z',
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    });

  const services = async (req: FastifyRequest, reply: FastifyReply, format: Format) => {
    const q = req.query as { jurisdiction_id?: string };
    const pemda = await publicPemda(db, q.jurisdiction_id);
    const cats = await inc.listCategories(db, pemda.id, { publicOnly: true });
    return send(
      reply,
      format,
      'services',
      cats.map((c) => ({
        service_code: c.code,
        service_name: req.lang === 'en' ? c.name_en : c.name_id,
        description: req.lang === 'en' ? c.name_en : c.name_id,
        metadata: true,
        type: 'realtime',
        keywords: c.code,
        group: c.priority <= 2 ? tr(req, 'cc.o311.group_emergency') : tr(req, 'cc.o311.group_other'),
      })),
    );
  };

  const jq = z.object({ jurisdiction_id: z.string().max(10).optional() });
  const fmtParam = z.object({ format: z.string().max(10) });

  app.get(
    '/open311/v2/discovery',
    { config: cfg, schema: { tags, summary: 'Open311 discovery', querystring: jq } },
    (req, reply) => discovery(req, reply, 'json'),
  );
  app.get(
    '/open311/v2/discovery.:format',
    { config: cfg, schema: { tags, summary: 'Open311 discovery (json|xml)', params: fmtParam, querystring: jq } },
    (req, reply) => {
      const f = fmtOf(req.params.format);
      return f ? discovery(req, reply, f[1]) : reply.callNotFound();
    },
  );
  app.get(
    '/open311/v2/services',
    { config: cfg, schema: { tags, summary: 'Open311 service list', querystring: jq } },
    (req, reply) => handle(req, reply, 'json', () => services(req, reply, 'json')),
  );
  app.get(
    '/open311/v2/services.:format',
    { config: cfg, schema: { tags, summary: 'Open311 service list (json|xml)', params: fmtParam, querystring: jq } },
    (req, reply) => {
      const f = fmtOf(req.params.format);
      return f ? handle(req, reply, f[1], () => services(req, reply, f[1])) : reply.callNotFound();
    },
  );

  app.get(
    '/open311/v2/services/:code',
    {
      config: cfg,
      schema: {
        tags,
        summary: 'Open311 service definition (services/{code}.json|xml)',
        params: z.object({ code: z.string().max(30) }),
        querystring: jq,
      },
    },
    async (req, reply) => {
      const [code, format] = splitFormat(req.params.code) ?? [req.params.code, 'json' as Format];
      return handle(req, reply, format, async () => {
        const pemda = await publicPemda(db, req.query.jurisdiction_id);
        const c = (await inc.listCategories(db, pemda.id, { publicOnly: true })).find((x) => x.code === code);
        if (!c) throw new AppError(404, 'not_found', 'cc.error.o311_service');
        const regions = await listRegions(db, pemda.id);
        const kecs = regions.filter((r) => r.kind === 'kecamatan');
        return send(reply, format, 'service_definition', {
          service_code: c.code,
          attributes: [
            {
              variable: true,
              code: 'kecamatan',
              datatype: 'singlevaluelist',
              required: false,
              datatype_description: tr(req, 'cc.o311.attr_kecamatan_hint'),
              order: 1,
              description: tr(req, 'cc.field.kecamatan'),
              values: kecs.map((k) => ({ key: k.code, name: k.name })),
            },
            {
              variable: true,
              code: 'kelurahan',
              datatype: 'singlevaluelist',
              required: false,
              datatype_description: tr(req, 'cc.o311.attr_kelurahan_hint'),
              order: 2,
              description: tr(req, 'cc.field.kelurahan'),
              values: regions.filter((r) => r.kind !== 'kecamatan').map((k) => ({ key: k.code, name: k.name })),
            },
          ],
        });
      });
    },
  );

  // ---- requests ------------------------------------------------------------------------------------------
  const listRequests = async (req: FastifyRequest, reply: FastifyReply, format: Format) => {
    const q = listQuery.parse(req.query);
    const pemda = await publicPemda(db, q.jurisdiction_id);
    const codes = q.service_request_id
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const statuses = q.status?.split(',') as Array<'open' | 'closed'> | undefined;
    const rows = await publicStatuses(
      db,
      pemda.id,
      {
        codes,
        listing: !codes,
        categoryCodes: q.service_code
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        // the spec: without dates, the last 90 days
        from: q.start_date ? new Date(q.start_date) : codes ? undefined : new Date(Date.now() - 90 * 86_400_000),
        to: q.end_date ? new Date(q.end_date) : undefined,
        status: statuses && statuses.length === 1 ? statuses[0] : undefined,
        limit: 1000,
      },
      req.lang,
    );
    return send(
      reply,
      format,
      'service_requests',
      rows.map((r) => requestOut(req, baseUrl(req), r)),
    );
  };
  // the spec's filters, documented; other parameters pass through to the handler's own checks
  const requestsQuery = z.looseObject({
    service_request_id: z.string().optional(),
    service_code: z.string().optional(),
    start_date: z.string().optional(),
    end_date: z.string().optional(),
    status: z.string().optional(),
    jurisdiction_id: z.string().optional(),
  });
  app.get(
    '/open311/v2/requests',
    {
      config: cfg,
      schema: { tags, summary: 'Open311 service requests', querystring: requestsQuery },
    },
    (req, reply) => handle(req, reply, 'json', () => listRequests(req, reply, 'json')),
  );
  app.get(
    '/open311/v2/requests.:format',
    {
      config: cfg,
      schema: {
        tags,
        summary: 'Open311 service requests (json|xml)',
        params: fmtParam,
        querystring: requestsQuery,
      },
    },
    (req, reply) => {
      const f = fmtOf(req.params.format);
      return f ? handle(req, reply, f[1], () => listRequests(req, reply, f[1])) : reply.callNotFound();
    },
  );

  app.get(
    '/open311/v2/requests/:id',
    {
      config: cfg,
      schema: {
        tags,
        summary: 'One Open311 service request (requests/{id}.json|xml)',
        params: z.object({ id: z.string().max(40) }),
        querystring: jq,
      },
    },
    async (req, reply) => {
      const [id, format] = splitFormat(req.params.id) ?? [req.params.id, 'json' as Format];
      return handle(req, reply, format, async () => {
        const pemda = await publicPemda(db, req.query.jurisdiction_id);
        const rows = TRACKING_RE.test(id) ? await publicStatuses(db, pemda.id, { codes: [id] }, req.lang) : [];
        if (!rows.length) throw new AppError(404, 'not_found', 'cc.error.o311_request');
        return send(
          reply,
          format,
          'service_requests',
          rows.map((r) => requestOut(req, baseUrl(req), r)),
        );
      });
    },
  );

  app.get(
    '/open311/v2/tokens/:id',
    {
      config: cfg,
      schema: {
        tags,
        summary: 'The service request id of a token (tokens/{id}.json|xml)',
        params: z.object({ id: z.string().max(60) }),
        querystring: jq,
      },
    },
    async (req, reply) => {
      const [token, format] = splitFormat(req.params.id) ?? [req.params.id, 'json' as Format];
      return handle(req, reply, format, async () => {
        const pemda = await publicPemda(db, req.query.jurisdiction_id);
        const rows = /^[A-Za-z0-9_-]{10,60}$/.test(token)
          ? await publicStatuses(db, pemda.id, { token }, req.lang)
          : [];
        if (!rows.length) throw new AppError(404, 'not_found', 'cc.error.o311_token');
        return send(reply, format, 'service_requests', [{ service_request_id: rows[0]!.tracking_code, token }]);
      });
    },
  );

  const postBody = z.record(z.string(), z.unknown());
  const str = (b: Record<string, unknown>, k: string) =>
    typeof b[k] === 'string' && (b[k] as string).trim() !== '' ? (b[k] as string).trim() : undefined;
  const attr = (b: Record<string, unknown>, k: string) => {
    const nested = b.attribute as Record<string, unknown> | undefined;
    const v = b[`attribute[${k}]`] ?? (nested && typeof nested === 'object' ? nested[k] : undefined);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };

  const postRequest = async (req: FastifyRequest, reply: FastifyReply, format: Format) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const pemda = await publicPemda(db, str(b, 'jurisdiction_id'));
    const client = await clientOfKey(db, pemda.id, str(b, 'api_key'));
    if (!client) throw new AppError(403, 'forbidden', 'cc.error.o311_key');
    await hitRateLimit(db, pemda.id, `cc.o311:${client.id}`, { windowSeconds: 60, max: 120 });
    const cats = await inc.listCategories(db, pemda.id, { publicOnly: true });
    const code = str(b, 'service_code');
    const cat = cats.find((c) => c.code === code);
    if (!cat)
      throw new AppError(400, 'validation', 'error.validation', {}, [
        { field: 'service_code', message: 'cc.error.o311_service' },
      ]);
    const lat = str(b, 'lat');
    const lon = str(b, 'long');
    const regions = await listRegions(db, pemda.id);
    const kecCode = attr(b, 'kecamatan');
    const kelCode = attr(b, 'kelurahan');
    const kel = kelCode ? regions.find((r) => r.code === kelCode && r.kind !== 'kecamatan') : undefined;
    let kecamatanId = kecCode
      ? regions.find((r) => r.code === kecCode && r.kind === 'kecamatan')?.id
      : (kel?.parentId ?? undefined);
    if (kecamatanId === undefined && lat && lon && !Number.isNaN(Number(lat)) && !Number.isNaN(Number(lon)))
      kecamatanId = await kecamatanAt(db, pemda.id, Number(lat), Number(lon));
    const name = [str(b, 'first_name'), str(b, 'last_name')].filter(Boolean).join(' ');
    const v = publicReportIn.parse({
      reporter_name: name || client.name,
      reporter_phone: str(b, 'phone'),
      reporter_email: str(b, 'email'),
      kecamatan_id: kecamatanId,
      kelurahan_id: kel?.id,
      address: str(b, 'address_string'),
      lat,
      lon,
      category_id: cat.id,
      description: str(b, 'description'),
    });
    const token = randomBytes(12).toString('base64url');
    const r = await inc.citizenReport(
      db,
      systemPrincipal(req.server.registry.permissions, pemda.id, `open311:${client.name}`),
      v,
      {
        source: 'open311',
        apiClientId: client.id,
        token,
      },
    );
    return send(
      reply,
      format,
      'service_requests',
      [{ service_request_id: r.tracking_code, token, service_notice: tr(req, 'cc.o311.notice'), account_id: null }],
      201,
    );
  };
  // Open311 clients post forms with their api_key: no session, no CSRF token
  const postCfg = { auth: 'public' as const, csrf: false as const };
  app.post(
    '/open311/v2/requests',
    {
      config: postCfg,
      schema: { tags, summary: 'Post an Open311 service request (api_key required)', body: postBody },
    },
    (req, reply) => handle(req, reply, 'json', () => postRequest(req, reply, 'json')),
  );
  app.post(
    '/open311/v2/requests.:format',
    {
      config: postCfg,
      schema: { tags, summary: 'Post an Open311 service request (json|xml)', params: fmtParam, body: postBody },
    },
    (req, reply) => {
      const f = fmtOf(req.params.format);
      return f ? handle(req, reply, f[1], () => postRequest(req, reply, f[1])) : reply.callNotFound();
    },
  );
}
