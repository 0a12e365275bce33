// Every text a request carries (body, query string, path parameters) is refused with a 400 naming
// the field when it holds a NUL byte or another control character: PostgreSQL cannot store NUL in
// text (it would be a 500), and control characters have no business in a name, a title or a URL.
// Tab, line feed and carriage return stay allowed in bodies (text areas); not in query strings or
// path parameters. Applied once, globally, in a preValidation hook — not route by route.
import type { FastifyRequest } from 'fastify';
import { badRequest, type FieldError } from '../errors.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BODY_BAD = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_BAD = /[\u0000-\u001F\u007F]/;

function walk(v: unknown, path: string[], bad: RegExp, out: FieldError[], depth = 0): void {
  if (out.length >= 20 || depth > 20) return;
  if (typeof v === 'string') {
    if (bad.test(v)) out.push({ field: path.join('.') || 'body', message: 'error.control_chars' });
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, [...path, String(i)], bad, out, depth + 1));
  } else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (LINE_BAD.test(k)) out.push({ field: path.join('.') || 'body', message: 'error.control_chars' });
      walk(x, [...path, k], bad, out, depth + 1);
    }
  }
}

/** The fields of a request that hold control characters (empty when none). */
export function controlCharFields(req: Pick<FastifyRequest, 'body' | 'query' | 'params'>): FieldError[] {
  const out: FieldError[] = [];
  walk(req.params, [], LINE_BAD, out);
  walk(req.query, [], LINE_BAD, out);
  walk(req.body, [], BODY_BAD, out);
  return out;
}

/** preValidation hook: 400 on control characters anywhere in the request's text. */
export async function refuseControlChars(req: FastifyRequest): Promise<void> {
  const fields = controlCharFields(req);
  if (fields.length) throw badRequest(fields);
}
