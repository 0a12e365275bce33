// Helpers shared by the APBD tests (not a test file itself).
import { pdfCells } from '../../../testing/pdf.ts';

/** The text cells of a (compressed) PDF, read with pdftotext. */
export function pdfText(pdf: Buffer): string[] {
  return pdfCells(pdf);
}
