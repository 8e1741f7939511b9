import { GIVE_UP_AFTER_MS, nextAttemptAt, retryDelayMs } from './delivery-schedule';

describe('retryDelayMs', () => {
  it('doubles from the base on each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 5_000, 1))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
  });

  it('applies the jitter and never waits more than an hour', () => {
    expect(retryDelayMs(1, 5_000, 0.75)).toBe(3_750);
    expect(retryDelayMs(1, 5_000, 1.25)).toBe(6_250);
    expect(retryDelayMs(12, 5_000, 1.25)).toBe(3_600_000);
    expect(retryDelayMs(500, 5_000, 1)).toBe(3_600_000);
  });
});

describe('nextAttemptAt', () => {
  const created = new Date('2026-01-01T00:00:00Z');

  it('schedules the next attempt while the delivery is younger than a day', () => {
    const now = new Date(created.getTime() + 1_000);
    expect(nextAttemptAt(created, now, 1, 5_000, 1)).toEqual(new Date(now.getTime() + 5_000));
  });

  it('gives up once a day has passed since the delivery was written', () => {
    const now = new Date(created.getTime() + GIVE_UP_AFTER_MS);
    expect(nextAttemptAt(created, now, 30, 5_000, 1)).toBeNull();
  });
});
