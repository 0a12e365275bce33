// Finishing the OpenAPI document that @fastify/swagger builds from the routes' Zod schemas, so an
// integrator can generate a client from it: every operation gets a stable operationId (derived
// from method and path unless the route sets `schema.operationId`), a summary, and its error
// responses, all described by one shared Error schema; public operations need no credentials.
// The result passes Redocly's recommended rules (`npm run lint:openapi`).

export interface RouteFacts {
  method: string;
  /** Fastify form: /api/v1/x/:id */
  url: string;
  public: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ERROR_SCHEMA = {
  type: 'object',
  description:
    'Every error answers with this body; `message` and each field message are sentences in the language of the request.',
  required: ['error', 'message', 'fields'],
  properties: {
    error: {
      type: 'string',
      description:
        'A machine-readable code: validation, unauthorized, forbidden, csrf, not_found, conflict, duplicate, …',
    },
    message: { type: 'string', description: 'What went wrong, as a sentence for the user (id or en).' },
    fields: {
      type: 'array',
      description: 'The input fields at fault (empty when the error concerns no field).',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string' },
          message: { type: 'string' },
          row: { type: 'integer', description: 'For bulk imports: the 1-based data row.' },
        },
      },
    },
    details: { description: 'Extra facts for some errors (e.g. the current version on a conflict).' },
  },
} as const;

const ERROR_TEXT: Record<string, string> = {
  '400': 'Invalid input: the fields at fault are named.',
  '401': 'Not authenticated: log in or send a bearer token.',
  '403': 'Not allowed: the permission is missing, or the object belongs to another OPD.',
  '404': 'Not found (also for an object of another Pemda or OPD).',
  '409': 'Conflict: changed by someone else meanwhile (stale version) or a duplicate.',
  '413': 'The body or file is too large.',
  '422': 'Refused by a business rule (e.g. a ceiling would be exceeded).',
  '423': 'Locked: the document is submitted, approved or its stage is closed.',
  '429': 'Too many requests: try again later.',
};

const SHARED_ERROR_KEYS = new Set(Object.keys(ERROR_SCHEMA.properties));

/** `GET /api/v1/budget/lines/:id/history` → `getBudgetLinesByIdHistory`. */
export function deriveOperationId(method: string, url: string): string {
  const words = url
    .replace(/^\/api\/v\d+\//, '/')
    .split('/')
    .filter(Boolean)
    .flatMap((seg) => {
      const param = /^[:{](\w+)}?$/.exec(seg);
      return param ? ['by', param[1]!] : seg.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  return method.toLowerCase() + words.map(cap).join('');
}

function deriveSummary(method: string, url: string): string {
  const words = url
    .replace(/^\/api\/v\d+\//, '')
    .split('/')
    .filter((s) => s && !s.startsWith(':') && !s.startsWith('{'))
    .join(' ')
    .replace(/[-_]/g, ' ');
  const verb =
    {
      GET: /[:{]\w+}?$/.test(url) ? 'Read' : 'List',
      POST: 'Submit',
      PUT: 'Replace',
      PATCH: 'Update',
      DELETE: 'Delete',
    }[method.toUpperCase()] ?? method;
  return `${verb} ${words}`.trim();
}

const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

function isSharedErrorShape(schema: Json | undefined): boolean {
  if (!schema || typeof schema !== 'object') return true;
  if (schema.$ref) return true;
  const props = schema.properties as Json | undefined;
  return !props || Object.keys(props).every((k) => SHARED_ERROR_KEYS.has(k));
}

/** Complete a document produced by @fastify/swagger (returns a new object). */
export function finishOpenApi(input: Json, routes: RouteFacts[]): Json {
  const doc: Json = structuredClone(input);
  const facts = new Map(routes.map((r) => [`${r.method.toUpperCase()} ${toOpenApiPath(r.url)}`, r]));
  doc.components = { ...(doc.components ?? {}) };
  doc.components.schemas = { ...(doc.components.schemas ?? {}), Error: ERROR_SCHEMA };
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  const seen = new Map<string, string>();
  const tags = new Set<string>();
  for (const [p, item] of Object.entries(doc.paths ?? {}) as Array<[string, Json]>) {
    for (const [method, op] of Object.entries(item) as Array<[string, Json]>) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const M = method.toUpperCase();
      const fact = facts.get(`${M} ${p}`);
      op.operationId ??= deriveOperationId(M, p);
      const prev = seen.get(op.operationId);
      if (prev) throw new Error(`operationId ${op.operationId} used by both ${prev} and ${M} ${p}`);
      seen.set(op.operationId, `${M} ${p}`);
      op.summary ||= deriveSummary(M, p);
      for (const t of op.tags ?? []) tags.add(t);

      const isPublic = fact?.public ?? false;
      if (isPublic) op.security = [];
      const responses: Json = (op.responses ??= {});
      const params: Json[] = op.parameters ?? [];
      const wanted = new Set<string>();
      if (params.length || op.requestBody) wanted.add('400');
      if (!isPublic) {
        wanted.add('401');
        wanted.add('403');
      }
      if (params.some((x) => x.in === 'path')) wanted.add('404');
      if (M !== 'GET' && !isPublic) wanted.add('409');
      if (!Object.keys(responses).some((c) => /^4\d\d$/.test(c))) wanted.add('400');
      for (const code of wanted) if (!responses[code]) responses[code] = {};
      for (const [code, res] of Object.entries(responses) as Array<[string, Json]>) {
        if (!/^4\d\d$/.test(code)) continue;
        const schema = res.content?.['application/json']?.schema;
        const keepOwn = res.content && !isSharedErrorShape(schema);
        const generic = !res.description || res.description === 'Default Response';
        responses[code] = {
          ...res,
          description: generic ? (ERROR_TEXT[code] ?? 'Error.') : res.description,
          content: keepOwn ? res.content : errorContent,
        };
      }
    }
  }
  const declared = new Set((doc.tags ?? []).map((t: Json) => t.name));
  doc.tags = [
    ...(doc.tags ?? []),
    ...[...tags]
      .filter((t) => !declared.has(t))
      .sort()
      .map((name) => ({ name, description: `The ${name} module.` })),
  ];
  return doc;
}
