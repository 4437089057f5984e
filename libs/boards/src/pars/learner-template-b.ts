import type { ParsCompletion } from './pars-messages';

/**
 * PARS's tab-delimited learner file, "Learner Template B" (R8: the batch path, for providers who
 * upload by hand). Column names and order are assumption A-18 (docs/pars-assumptions.md): one
 * header row, then one row per completion record; dates as MM/DD/YYYY; CRLF line ends.
 */

const COLUMNS = [
  ['Activity ID', 'activityId'],
  ['Learner First Name', 'firstName'],
  ['Learner Last Name', 'lastName'],
  ['Birth Month', 'birthMonth'],
  ['Birth Day', 'birthDay'],
  ['Board', 'boardId'],
  ['Board Learner ID', 'learnerBoardId'],
  ['License State', 'licenseState'],
  ['License Number', 'licenseNumber'],
  ['NPI', 'npi'],
  ['Completion Date', 'completionDate'],
  ['Credit Type', 'creditType'],
  ['Credits Earned', 'credits'],
  ['MOC Points', 'mocPoints'],
  ['MOC Type', 'mocType'],
  ['Provider Record ID', 'providerRecordId'],
] as const satisfies readonly (readonly [string, keyof ParsCompletion])[];

export const TEMPLATE_B_HEADER = COLUMNS.map(([title]) => title);

export class TemplateBError extends Error {
  override readonly name = 'TemplateBError';
}

const toUsDate = (iso: string): string =>
  `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const fromUsDate = (us: string): string => `${us.slice(6, 10)}-${us.slice(0, 2)}-${us.slice(3, 5)}`;

function cell(record: ParsCompletion, key: keyof ParsCompletion): string {
  const value = record[key];
  if (value === undefined) return '';
  const text = key === 'completionDate' ? toUsDate(String(value)) : String(value);
  if (/[\t\r\n]/.test(text)) {
    throw new TemplateBError(
      `record ${record.providerRecordId}: ${key} holds a tab or a line break, which the file cannot carry`,
    );
  }
  return text;
}

/** The file for these records, header first. */
export function templateBFile(records: readonly ParsCompletion[]): string {
  const rows = [TEMPLATE_B_HEADER, ...records.map((r) => COLUMNS.map(([, key]) => cell(r, key)))];
  return rows.map((row) => row.join('\t')).join('\r\n') + '\r\n';
}

/** Reads a file back, checking its header and each row's width. */
export function parseTemplateB(text: string): ParsCompletion[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const [header, ...rows] = lines;
  if (header !== TEMPLATE_B_HEADER.join('\t')) {
    throw new TemplateBError('the first line is not the Learner Template B header');
  }
  return rows.map((line, index) => {
    const cells = line.split('\t');
    if (cells.length !== COLUMNS.length) {
      throw new TemplateBError(
        `line ${index + 2} has ${cells.length} fields, not ${COLUMNS.length}`,
      );
    }
    const record: Record<string, string | number> = {};
    COLUMNS.forEach(([, key], i) => {
      const value = cells[i] ?? '';
      if (value === '') return;
      if (key === 'birthMonth' || key === 'birthDay') record[key] = Number(value);
      else if (key === 'completionDate') record[key] = fromUsDate(value);
      else record[key] = value;
    });
    return record as unknown as ParsCompletion;
  });
}
