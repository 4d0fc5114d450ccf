import {withRetry} from '../../src/lib/auth/tokens/retry.js';

describe('withRetry', () => {
  const fakeClock = () => {
    let t = 0;
    const sleeps: number[] = [];
    return {sleeps, deps: {now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), random: () => 1}};
  };

  test('backs off exponentially up to the cap and stops within the budget', async () => {
    const {sleeps, deps} = fakeClock();
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new Error('503');
      }, () => true, {budgetMs: 5000, baseDelayMs: 100, maxDelayMs: 1000}, deps),
    ).rejects.toThrow('503');
    expect(sleeps).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
    expect(calls).toBe(sleeps.length + 1);
  });

  test('does not retry what the predicate rejects', async () => {
    const {sleeps, deps} = fakeClock();
    await expect(withRetry(async () => Promise.reject(new Error('fatal')), () => false, undefined, deps)).rejects.toThrow('fatal');
    expect(sleeps).toEqual([]);
  });

  test('jitter stays within [0, cap]', async () => {
    const delays: number[] = [];
    let t = 0;
    await withRetry(
      async (attempt) => {
        if (attempt < 5) throw new Error('x');
        return 'ok';
      },
      () => true,
      {budgetMs: 100_000, baseDelayMs: 100, maxDelayMs: 1000},
      {now: () => t, sleep: async (ms) => void (delays.push(ms), (t += ms)), random: () => 0.5},
    );
    expect(delays).toEqual([50, 100, 200, 400, 500]);
  });
});
