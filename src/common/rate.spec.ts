import { rate } from './rate';

describe(rate.name, () => {
  it('divides the part by the whole to 4 decimals', () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(1, 8)).toBe(0.125);
    expect(rate(7, 7)).toBe(1);
    expect(rate(1, 20000)).toBe(0.0001);
    expect(rate(0, 5)).toBe(0);
  });

  it('is null when the whole is 0', () => {
    expect(rate(0, 0)).toBeNull();
  });
});
