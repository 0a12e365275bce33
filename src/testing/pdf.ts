// PDF helpers for tests (prints are compressed): the text of a PDF by poppler's pdftotext, and its
// pages as PNG by pdftoppm (Debian package poppler-utils, installed by .ci/run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function withFile<T>(pdf: Buffer, fn: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'padu-pdf-'));
  try {
    const file = path.join(dir, 'in.pdf');
    fs.writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of a PDF, page by page in reading order (pdftotext -layout). */
export function pdfToText(pdf: Buffer): string {
  return withFile(pdf, (file) =>
    execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }),
  );
}

/**
 * The cells of a PDF's text: each line of `pdftotext -layout` split where two or more spaces
 * separate its columns, trimmed. A printed amount is one cell, so `cells.includes('1.234')` does
 * not match inside "11.234".
 */
export function pdfCells(pdf: Buffer): string[] {
  return pdfToText(pdf)
    .split('\n')
    .flatMap((l) => l.split(/\s{2,}/))
    .map((c) => c.trim())
    .filter(Boolean);
}

/** The first page of a PDF as PNG (pdftoppm, `scaleTo` pixels on the long side). */
export function pdfFirstPagePng(pdf: Buffer, scaleTo = 1000): Buffer {
  return withFile(pdf, (file, dir) => {
    const out = path.join(dir, 'page');
    execFileSync('pdftoppm', ['-png', '-f', '1', '-l', '1', '-singlefile', '-scale-to', String(scaleTo), file, out]);
    return fs.readFileSync(`${out}.png`);
  });
}
