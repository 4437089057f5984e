import type { Amount } from './api';

/** Credits exactly as the API wrote them: its decimal string, never recomputed. */
export const credits = (amount: Amount | undefined): string => amount?.credits ?? '—';

/** An instant as the API gave it, shown in UTC (the ledger's dates are UTC unless configured). */
export const instant = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$|Z$/, ' UTC') : '—';

export const ACTIVITY_NAMES: Record<string, string> = {
  ipoc: 'Internet Point of Care',
  'nejm-board-review': 'NEJM board review',
};

export const activityName = (activity: string): string => ACTIVITY_NAMES[activity] ?? activity;

/**
 * Sums decimal credit strings ("1.50") exactly, in hundredths: for charts only. The API gives
 * credits with two decimals; a sum of them needs no rounding.
 */
export function hundredthsOf(text: string): number {
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

export const fromHundredths = (hundredths: number): string =>
  `${Math.trunc(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;

/** CSV text (RFC 4180): every value quoted, as given. */
export function csvOf(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (values: readonly string[]) =>
    values.map((value) => `"${value.replace(/"/g, '""')}"`).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}

/** Offers a blob as a file download (an object URL of this origin, revoked afterwards). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
