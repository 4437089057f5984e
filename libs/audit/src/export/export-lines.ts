import type { RecordedEvent } from '@ledger/event-store';
import { AuditRecordFormatError, fromAuditRecord } from '../audit-record';

/** A non-blank line of an export: its number (from 1), and its event or why it is not one. */
export type ExportLine =
  { line: number; event: RecordedEvent } | { line: number; malformed: string };

/** Reads an export (one audit record a line, blank lines skipped) a line at a time. */
export async function* exportLines(lines: AsyncIterable<string>): AsyncGenerator<ExportLine> {
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    const text = raw.trim();
    if (text === '') continue;
    let read: ExportLine;
    try {
      read = { line, event: fromAuditRecord(JSON.parse(text)) };
    } catch (error) {
      const detail =
        error instanceof AuditRecordFormatError || error instanceof SyntaxError
          ? error.message
          : String(error);
      read = { line, malformed: `not an event record: ${detail}` };
    }
    yield read;
  }
}
