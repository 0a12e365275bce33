// File uploads for bulk imports: a raw CSV/XLSX request body (machine clients) or the multipart
// field `file` (browser forms; multipart itself is registered by the server).
import type { FastifyInstance } from 'fastify';
import { fieldError } from '../errors.ts';

export const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

/** Let the routes of this plugin scope take a raw CSV/XLSX body. */
export function acceptSpreadsheetBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
}

/** The uploaded file of an import request: a raw body, or the multipart field `file`. */
export function uploadedFile(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  const file = (body as { file?: unknown } | undefined)?.file;
  if (Buffer.isBuffer(file) && file.length > 0) return file;
  throw fieldError('file', 'core.import.no_file');
}
