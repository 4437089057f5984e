export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__LEDGER_EMBEDDED_PG__ ?? []).map((pg) => pg.stop()));
}
