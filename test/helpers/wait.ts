/**
 * Polls `condition` until it returns a truthy value, which it resolves with; rejects
 * with `message` and the last value seen after `timeoutMs`. For conditions that have
 * no event to wait on (stats counters rising in another process).
 */
type Falsy = false | 0 | '' | null | undefined;

export async function waitUntil<T>(
  condition: () => Promise<T | Falsy> | T | Falsy,
  { timeoutMs = 15000, intervalMs = 100, message = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | Falsy;
  for (;;) {
    last = await condition();
    if (last) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${message}; last: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
