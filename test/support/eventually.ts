/** Polls `probe` until it stops throwing; the last error surfaces after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 10000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
