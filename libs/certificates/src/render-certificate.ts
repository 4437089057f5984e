import PDFDocument from 'pdfkit';
import { certificateFonts, type CertificateFont } from './certificate-fonts';
import type { CertificateBoardLine, CertificateInput } from './certificate-input';
import { certificateWording, type CertificateWording } from './certificate-wording';

/**
 * R11: the PDF certificate of one claim, a landscape US Letter page, with its fonts embedded
 * (see `certificate-fonts.ts`). Text that could be long (a name, a title, a board name) is
 * shrunk or shortened to its box, so that the certificate always stays one page.
 */
export async function renderCertificate(input: CertificateInput): Promise<Buffer> {
  const words = certificateWording(input);
  const dated = new Date(Date.parse(input.issuedAt ?? input.claimedAt));
  const doc = new PDFDocument({
    size: 'LETTER',
    layout: 'landscape',
    margin: 0,
    autoFirstPage: true,
    lang: 'en-US',
    displayTitle: true,
    info: {
      Title: `${words.title} (claim ${words.claimId})`,
      Author: words.provider,
      Subject: words.activityTitle,
      Creator: 'CME Credit Ledger',
      Producer: 'CME Credit Ledger',
      CreationDate: dated,
      ModDate: dated,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const [name, file] of Object.entries(certificateFonts())) doc.registerFont(name, file);
  drawCertificate(doc, words, input.boards);
  doc.end();
  return done;
}

const NAVY = '#1d3557';
const GOLD = '#b08d57';
const INK = '#222222';
const MUTED = '#5f6b7a';
const REJECTED = '#a4262c';

/** The page: 792 × 612 points. */
const PAGE = { width: 792, height: 612 };
const CONTENT = { left: 96, width: 600 };
/** A name may take the whole width inside the frame before it is shortened. */
const NAME_WIDTH = 680;

function drawCertificate(
  doc: PDFKit.PDFDocument,
  words: CertificateWording,
  boards: readonly CertificateBoardLine[],
): void {
  drawFrame(doc);

  centred(doc, words.provider.toUpperCase(), 50, {
    font: 'sansBold',
    size: 10,
    color: NAVY,
    characterSpacing: 1.5,
  });
  centredFitted(doc, words.title, 76, { font: 'serifBold', size: 32, minSize: 22, color: NAVY });
  rule(doc, PAGE.width / 2 - 90, 124, 180, GOLD, 1.2);

  centred(doc, 'This certifies that', 142, { font: 'serifItalic', size: 15, color: MUTED });
  let nameWidth = 0;
  if (words.nameErased) {
    centred(doc, words.name, 176, { font: 'serifItalic', size: 20, color: MUTED });
  } else {
    nameWidth = centredFitted(doc, words.name, 168, {
      font: 'serifBold',
      size: 32,
      minSize: 14,
      color: INK,
      width: NAME_WIDTH,
    });
  }
  // The rule under the name: 420 points, or as wide as a long name.
  const ruleWidth = Math.min(NAME_WIDTH, Math.max(420, nameWidth + 40));
  rule(doc, (PAGE.width - ruleWidth) / 2, 214, ruleWidth, GOLD, 0.8);
  centred(doc, words.role, 220, { font: 'sans', size: 9.5, color: MUTED, characterSpacing: 0.5 });

  centred(doc, words.lead, 246, { font: 'serif', size: 14, color: INK });
  centredFitted(doc, words.activityTitle, 268, {
    font: 'serifBold',
    size: 19,
    minSize: 12,
    color: NAVY,
  });
  centredFitted(doc, words.activityLine, 294, { font: 'sans', size: 10, minSize: 7, color: MUTED });
  centredFitted(doc, words.award, 316, { font: 'serifBold', size: 17, minSize: 12, color: INK });

  doc
    .font('serifItalic')
    .fontSize(10.5)
    .fillColor(INK)
    .text(words.statement, CONTENT.left - 20, 348, {
      width: CONTENT.width + 40,
      align: 'center',
      lineGap: 1.5,
      height: 48,
      ellipsis: true,
    });

  rule(doc, 60, 404, PAGE.width - 120, GOLD, 0.6);
  drawBoards(doc, boards, { x: 60, y: 416, width: 380, height: 112 });
  drawClaimDetails(doc, words, { x: 500, y: 416, width: 232 });

  doc
    .font('sans')
    .fontSize(7.5)
    .fillColor(MUTED)
    .text(words.accreditation, 60, 540, {
      width: PAGE.width - 120,
      align: 'center',
      lineGap: 1,
      height: 24,
      ellipsis: true,
    });
}

function drawFrame(doc: PDFKit.PDFDocument): void {
  doc.save();
  doc.rect(0, 0, PAGE.width, PAGE.height).fill('#fdfbf6');
  doc
    .lineWidth(4)
    .strokeColor(NAVY)
    .rect(18, 18, PAGE.width - 36, PAGE.height - 36)
    .stroke();
  doc
    .lineWidth(1)
    .strokeColor(GOLD)
    .rect(26, 26, PAGE.width - 52, PAGE.height - 52)
    .stroke();
  // Corner ornaments: a small gold square inside each corner of the inner frame.
  for (const [x, y] of [
    [26, 26],
    [PAGE.width - 26, 26],
    [26, PAGE.height - 26],
    [PAGE.width - 26, PAGE.height - 26],
  ] as const) {
    doc.rect(x - 4, y - 4, 8, 8).fill(GOLD);
  }
  doc.restore();
}

function drawBoards(
  doc: PDFKit.PDFDocument,
  boards: readonly CertificateBoardLine[],
  box: { x: number; y: number; width: number; height: number },
): void {
  heading(doc, 'REPORTED TO BOARDS', box.x, box.y);
  const top = box.y + 16;
  if (boards.length === 0) {
    doc
      .font('sans')
      .fontSize(8.5)
      .fillColor(INK)
      .text(
        'No board was selected when the credit was claimed: give this certificate to any ' +
          'board or organization that asks for a record of the credit.',
        box.x,
        top,
        { width: box.width, lineGap: 1.5 },
      );
    return;
  }
  // One column with full names while they fit; two columns of codes for many boards.
  const lineHeight = 12;
  const rowsPerColumn = Math.floor((box.height - 16) / lineHeight);
  const columns = boards.length <= rowsPerColumn ? 1 : 2;
  const columnWidth = columns === 1 ? box.width : (box.width - 16) / 2;
  const capacity = rowsPerColumn * columns;
  const shown = boards.length <= capacity ? boards : boards.slice(0, capacity - 1);
  shown.forEach((line, index) => {
    const column = Math.floor(index / rowsPerColumn);
    const x = box.x + column * (columnWidth + 16);
    const y = top + (index % rowsPerColumn) * lineHeight;
    const label = columns === 1 ? `${line.boardName} (${line.board})` : line.board;
    const statusWidth = 70;
    doc.font('sans').fontSize(8.5).fillColor(INK);
    doc.text(fitted(doc, label, columnWidth - statusWidth - 6), x, y, { lineBreak: false });
    doc
      .font('sansBold')
      .fillColor(/reject/i.test(line.status) ? REJECTED : NAVY)
      .text(fitted(doc, line.status, statusWidth), x + columnWidth - statusWidth, y, {
        width: statusWidth,
        align: 'right',
        lineBreak: false,
      });
  });
  if (shown.length < boards.length) {
    const index = shown.length;
    const x = box.x + Math.floor(index / rowsPerColumn) * (columnWidth + 16);
    const y = top + (index % rowsPerColumn) * lineHeight;
    doc
      .font('sansItalic')
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(`and ${boards.length - shown.length} more`, x, y, { lineBreak: false });
  }
}

function drawClaimDetails(
  doc: PDFKit.PDFDocument,
  words: CertificateWording,
  box: { x: number; y: number; width: number },
): void {
  const rows: [string, string][] = [
    ['CLAIM ID', words.claimId],
    ['CREDIT CLAIMED', words.claimedOn],
    ['CERTIFICATE ISSUED', words.issuedOn],
  ];
  rows.forEach(([label, value], index) => {
    const y = box.y + index * 34;
    heading(doc, label, box.x, y);
    doc.font('sans').fontSize(10).fillColor(INK);
    doc.text(fitted(doc, value, box.width), box.x, y + 13, { lineBreak: false });
  });
}

function heading(doc: PDFKit.PDFDocument, text: string, x: number, y: number): void {
  doc
    .font('sansBold')
    .fontSize(7.5)
    .fillColor(GOLD)
    .text(text, x, y, { characterSpacing: 1.2, lineBreak: false });
}

interface TextStyle {
  font: CertificateFont;
  size: number;
  color: string;
  characterSpacing?: number;
  /** The line's width, centred on the page; default the content width. */
  width?: number;
}

/** One centred line (shortened with an ellipsis if it does not fit); answers its width. */
function centred(doc: PDFKit.PDFDocument, text: string, y: number, style: TextStyle): number {
  const width = style.width ?? CONTENT.width;
  const characterSpacing = style.characterSpacing ?? 0;
  doc.font(style.font).fontSize(style.size).fillColor(style.color);
  const line = fitted(doc, text, width, characterSpacing);
  doc.text(line, (PAGE.width - width) / 2, y, {
    width,
    align: 'center',
    lineBreak: false,
    characterSpacing,
  });
  return doc.widthOfString(line, { characterSpacing });
}

/** One centred line, its font shrunk (down to `minSize`) until it fits, then shortened. */
function centredFitted(
  doc: PDFKit.PDFDocument,
  text: string,
  y: number,
  style: TextStyle & { minSize: number },
): number {
  const width = style.width ?? CONTENT.width;
  doc.font(style.font);
  let size = style.size;
  while (size > style.minSize && doc.fontSize(size).widthOfString(text) > width) {
    size -= 0.5;
  }
  // Keep the line's baseline where the full size would put it.
  const drop = (style.size - size) * 0.7;
  return centred(doc, text, y + drop, { ...style, size });
}

/** The text, cut with an ellipsis if it is wider than `width` in the current font. */
function fitted(
  doc: PDFKit.PDFDocument,
  text: string,
  width: number,
  characterSpacing = 0,
): string {
  const widthOf = (s: string): number => doc.widthOfString(s, { characterSpacing });
  if (widthOf(text) <= width) return text;
  let cut = text.length;
  while (cut > 0 && widthOf(`${text.slice(0, cut).trimEnd()}…`) > width) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}

function rule(
  doc: PDFKit.PDFDocument,
  x: number,
  y: number,
  width: number,
  color: string,
  lineWidth: number,
): void {
  doc
    .save()
    .lineWidth(lineWidth)
    .strokeColor(color)
    .moveTo(x, y)
    .lineTo(x + width, y)
    .stroke()
    .restore();
}
