import { roundHalfAwayFromZero } from './rounding';

describe(roundHalfAwayFromZero.name, () => {
  it.each([
    [1.005, 2, 1.01],
    [(2 / 3) * 100, 2, 66.67],
    [(1 / 3) * 100, 2, 33.33],
    [4.125, 2, 4.13],
    [0.125, 2, 0.13],
    [0.1249999999999999, 2, 0.12],
    [2.5, 0, 3],
    [1.23455, 4, 1.2346],
    [0.00005, 4, 0.0001],
    [123456789.125, 2, 123456789.13],
    [80, 2, 80],
  ])('rounds %p to %p decimals as %p', (value, decimals, expected) => {
    expect(roundHalfAwayFromZero(value, decimals)).toBe(expected);
  });

  it('rounds negative halves away from zero', () => {
    expect(roundHalfAwayFromZero(-1.005, 2)).toBe(-1.01);
    expect(roundHalfAwayFromZero(-3.125, 2)).toBe(-3.13);
    expect(roundHalfAwayFromZero(-2.5, 0)).toBe(-3);
  });

  it('never returns negative zero', () => {
    expect(Object.is(roundHalfAwayFromZero(-0.001, 2), 0)).toBe(true);
    expect(Object.is(roundHalfAwayFromZero(-0, 2), 0)).toBe(true);
  });

  it('handles numbers written with an exponent', () => {
    expect(roundHalfAwayFromZero(1e-7, 2)).toBe(0);
    expect(roundHalfAwayFromZero(5e-7, 6)).toBe(0.000001);
    expect(roundHalfAwayFromZero(1e21, 2)).toBe(1e21);
  });

  it('passes non-finite values through', () => {
    expect(roundHalfAwayFromZero(Number.NaN, 2)).toBeNaN();
    expect(roundHalfAwayFromZero(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
  });
});
