// Drawing helpers shared by the budgeting prints (the RKA-SKPD of exports.pdf.ts and the APBD
// attachments of apbd/render.ts): one table row with wrapped cells and a hairline under it, and the
// DRAF watermark of a document from a stage that is not legally final.

/** A column of a printed table (points). */
export interface PdfCol {
  w: number;
  align: 'left' | 'right' | 'center';
}

export interface RowOptions {
  bold?: boolean;
  fontSize: number;
  /** Indent of the column `indentCol` (default 1, the description). */
  indent?: number;
  indentCol?: number;
  /** Smallest row height before padding. */
  minHeight: number;
  /** Which cells wrap (and so decide the height); the others print on one line. Default: all. */
  wraps?: (i: number) => boolean;
  /** Called with the row's height before it is drawn: the caller may start a new page. */
  ensure?: (h: number) => void;
}

/** Draw one row of cells at pdf.y from x = `left`, then move pdf.y under it. Returns its height. */
export function drawRow(
  pdf: PDFKit.PDFDocument,
  left: number,
  cols: readonly PdfCol[],
  cells: readonly string[],
  o: RowOptions,
): number {
  const wraps = o.wraps ?? (() => true);
  const indentCol = o.indentCol ?? 1;
  const ind = (i: number) => (i === indentCol ? (o.indent ?? 0) : 0);
  pdf.font(o.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(o.fontSize);
  const h =
    Math.max(
      o.minHeight,
      ...cells.map((c, i) => (c && wraps(i) ? pdf.heightOfString(c, { width: cols[i]!.w - 4 - ind(i) }) : 0)),
    ) + 3;
  o.ensure?.(h);
  pdf.font(o.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(o.fontSize);
  const y = pdf.y;
  const width = cols.reduce((a, c) => a + c.w, 0);
  let x = left;
  cells.forEach((c, i) => {
    const col = cols[i]!;
    if (c) pdf.text(c, x + 2 + ind(i), y + 1.5, { width: col.w - 4 - ind(i), align: col.align, lineBreak: wraps(i) });
    x += col.w;
  });
  pdf
    .moveTo(left, y + h)
    .lineTo(left + width, y + h)
    .lineWidth(0.3)
    .strokeColor('#bbbbbb')
    .stroke()
    .strokeColor('#000');
  pdf.y = y + h;
  return h;
}

/**
 * A large, light, diagonal `text` (e.g. "DRAF") under the content of every page of the document:
 * the current page and each page added after this call.
 */
export function watermarkEveryPage(pdf: PDFKit.PDFDocument, text: string): void {
  const draw = () => {
    const { x, y } = pdf;
    const w = pdf.page.width;
    const h = pdf.page.height;
    const margin = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    pdf.save();
    pdf.rotate(-30, { origin: [w / 2, h / 2] });
    pdf
      .font('Helvetica-Bold')
      .fontSize(Math.min(w, h) / 4)
      .fillColor('#d9d9d9')
      .text(text, 0, h / 2 - Math.min(w, h) / 8, { width: w, align: 'center', lineBreak: false });
    pdf.restore();
    pdf.page.margins.bottom = margin;
    pdf.fillColor('#000');
    pdf.x = x;
    pdf.y = y;
  };
  draw();
  pdf.on('pageAdded', draw);
}
