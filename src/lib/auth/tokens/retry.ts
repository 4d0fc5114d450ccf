/** Retry with jittered exponential backoff inside a total time budget. */

export interface RetryPolicy {
  /** Give up once the next attempt would start after this many ms. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {budgetMs: 10_000, baseDelayMs: 200, maxDelayMs: 3_000};

/**
 * Calls fn until it succeeds, fails with an error isRetryable rejects, or the budget is spent.
 * Delays are "full jitter": uniform in [0, min(max, base·2^attempt)].
 * @throws the last error fn threw.
 */
export async function withRetry<T>(
  fn: (attempt: number, remainingMs: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  deps: {now: () => number; sleep: (ms: number) => Promise<void>; random: () => number} = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  },
): Promise<T> {
  const deadline = deps.now() + policy.budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt, deadline - deps.now());
    } catch (error) {
      const delay = Math.max(1, deps.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
      if (!isRetryable(error) || deps.now() + delay > deadline) throw error;
      await deps.sleep(delay);
    }
  }
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ABORT_ERR', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * What a request that got no answer ran into: its error code, whether it timed out, and whether
 * another try may work (a reset or a timeout may; a refused connection or a bad host name will not).
 */
export function classifyNetworkFailure(error: unknown): {code: string; timedOut: boolean; transient: boolean} {
  const e = error as {code?: string | number; cause?: {code?: string}; name?: string; message?: string} | undefined;
  const code = String(e?.code ?? e?.cause?.code ?? '');
  const timedOut = e?.name === 'AbortError' || e?.name === 'TimeoutError' || /timeout|timed out|aborted/i.test(e?.message ?? '');
  return {code, timedOut, transient: TRANSIENT_CODES.has(code) || timedOut};
}
