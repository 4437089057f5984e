import type { EventStore } from '@ledger/event-store';
import { toAuditRecord } from '../audit-record';
import { LogDigest, type LogDigestReport } from '../log-digest';
import { readLogPages, type LogRange } from '../log-reader';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

export interface LogExport {
  /** NDJSON text, one chunk per page read: one event record (audit-record.ts) a line. */
  chunks: AsyncGenerator<string>;
  /** The digest of what has been exported so far; the export's digest once `chunks` is done. */
  digest(): LogDigestReport;
}

/**
 * The log's range as NDJSON, page by page (bounded memory): each line one stored event with its
 * metadata and hash-chain link. The digest of the exported events is computed on the way, and
 * equals `checkIntegrity`'s digest of the same range.
 */
export function exportLog(store: Pick<EventStore, 'readAll'>, range: LogRange = {}): LogExport {
  const digest = new LogDigest(range.after ?? 0n);
  async function* chunks(): AsyncGenerator<string> {
    for await (const page of readLogPages(store, range)) {
      let text = '';
      for (const e of page) {
        digest.add(e);
        text += `${JSON.stringify(toAuditRecord(e))}\n`;
      }
      yield text;
    }
  }
  return { chunks: chunks(), digest: () => digest.report() };
}
