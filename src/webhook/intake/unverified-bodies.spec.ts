import { SMALL_BODY, UnverifiedBodies } from './unverified-bodies';

describe(UnverifiedBodies.name, () => {
  const KiB = 1024;

  it('does refuse a chunk that would take the total past the budget, and take nothing of it', () => {
    const budget = new UnverifiedBodies(1000 * KiB);
    const a = budget.open(null);
    const b = budget.open(null);
    expect(a.take(200 * KiB)).toBe(true);
    expect(b.take(200 * KiB)).toBe(true);
    expect(budget.inFlight).toBe(400 * KiB);
    const c = budget.open(null);
    expect(c.take(250 * KiB)).toBe(true);
    expect(budget.open(null).take(250 * KiB)).toBe(true);
    expect(budget.open(null).take(150 * KiB)).toBe(false);
    expect(budget.inFlight).toBe(900 * KiB);
  });

  it('does keep a quarter of the budget for small bodies', () => {
    const budget = new UnverifiedBodies(4 * SMALL_BODY * 4);
    const large = Array.from({ length: 12 }, () => budget.open(SMALL_BODY * 2));
    // Large bodies fill three quarters (12 × SMALL_BODY of 16) and no more.
    expect(large.every((body) => body.take(SMALL_BODY))).toBe(true);
    expect(budget.open(SMALL_BODY * 2).take(1)).toBe(false);
    // A body that grows past SMALL_BODY becomes large, and is refused the same way.
    const growing = budget.open(null);
    expect(growing.take(SMALL_BODY)).toBe(true);
    expect(growing.take(1)).toBe(false);
    // Small bodies still fit in the last quarter.
    expect(budget.open(null).take(SMALL_BODY)).toBe(true);
    expect(budget.inFlight).toBe(14 * SMALL_BODY);
  });

  it('does give every byte back once, whatever the number of releases', () => {
    const budget = new UnverifiedBodies(1000 * KiB);
    const body = budget.open(SMALL_BODY * 2);
    expect(body.take(300 * KiB)).toBe(true);
    body.release();
    body.release();
    expect(budget.inFlight).toBe(0);
    expect(body.take(1)).toBe(false);
    const large = Array.from({ length: 2 }, () => budget.open(SMALL_BODY * 2));
    expect(large.every((next) => next.take(350 * KiB))).toBe(true);
  });
});
