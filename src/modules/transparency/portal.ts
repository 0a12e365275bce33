// Shared pieces of the public portal: which Pemda an anonymous request concerns, the stable slug
// of a stage in URLs, and responses that caches may keep (no cookie, public Cache-Control).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../core/db/database.ts';
import { fieldError, notFound } from '../../core/errors.ts';
import { findPemdaByCode, listPemda, type Pemda } from '../../core/tenancy.ts';
import { listPublicStages, type PublicStage } from '../budgeting/index.ts';

/** The Pemda of a public request: `?pemda=<code>`, else the only active one. */
export async function portalPemda(db: Db, req: FastifyRequest): Promise<Pemda> {
  const code = (req.query as { pemda?: unknown } | undefined)?.pemda;
  let p: Pemda | undefined;
  if (typeof code === 'string' && code) {
    p = await findPemdaByCode(db, code);
    if (!p || !p.active) throw notFound();
  } else {
    const all = await listPemda(db);
    if (all.length > 1) throw fieldError('pemda', 'field.required');
    p = all[0];
  }
  if (!p) throw notFound();
  req.pemda = p;
  return p;
}

/** murni, perubahan, pergeseran-<seq>: stable within a year. */
export function stageSlug(s: Pick<PublicStage, 'kind' | 'seq'>): string {
  return s.kind === 'pergeseran' ? `pergeseran-${s.seq}` : s.kind;
}

/** A public stage by year and slug (404 for a draft, open or unknown stage). */
export async function publicStage(db: Db, pemdaId: number, year: number, slug: string): Promise<PublicStage> {
  const s = (await listPublicStages(db, pemdaId, year)).find((x) => stageSlug(x) === slug);
  if (!s) throw notFound();
  return s;
}

/** Let shared caches keep the response: public Cache-Control, and no per-visitor cookie. */
export function cacheable(reply: FastifyReply, seconds = 300): FastifyReply {
  reply.header('cache-control', `public, max-age=${seconds}`);
  const cookies = reply.getHeader('set-cookie');
  if (cookies) {
    const keep = [cookies]
      .flat()
      .map(String)
      .filter((c) => !c.startsWith('padu_csrf='));
    if (keep.length) reply.header('set-cookie', keep);
    else reply.removeHeader('set-cookie');
  }
  return reply;
}

/** CSV cell: text quoted when needed; a leading = + - @ neutralised (spreadsheet formula injection). */
export function csvCell(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+$/.test(s)) s = `'${s}`;
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
