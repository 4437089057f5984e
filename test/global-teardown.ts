export default async function globalTeardown(): Promise<void> {
  await globalThis.__LEDGER_EMBEDDED_PG__?.stop();
}
