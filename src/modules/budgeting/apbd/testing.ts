// Helpers shared by the APBD tests (not a test file itself).

/** The text of an uncompressed PDF: the hex strings of its TJ operators, one string per operator. */
export function pdfText(pdf: Buffer): string[] {
  const s = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of s.matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]<])*)\]\s*TJ/g)) {
    let text = '';
    for (const h of m[1]!.matchAll(/<([0-9a-fA-F]*)>/g)) text += Buffer.from(h[1]!, 'hex').toString('latin1');
    out.push(text);
  }
  return out;
}
