import { splitRange } from './day-range';

const at = (iso: string) => new Date(iso);

describe(splitRange.name, () => {
  it('serves an open range from the rollups alone', () => {
    expect(splitRange({ from: null, to: null })).toEqual({
      days: { from: null, to: null },
      partial: [],
    });
  });

  it('serves whole days from the rollups alone', () => {
    expect(
      splitRange({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') }),
    ).toEqual({ days: { from: '2026-11-01', to: '2026-11-08' }, partial: [] });
  });

  it('reads the partial days at both edges from the raw rows', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:30:00Z'), to: at('2026-11-08T06:00:00Z') }),
    ).toEqual({
      days: { from: '2026-11-02', to: '2026-11-08' },
      partial: [
        { from: at('2026-11-01T10:30:00Z'), to: at('2026-11-02T00:00:00Z') },
        { from: at('2026-11-08T00:00:00Z'), to: at('2026-11-08T06:00:00Z') },
      ],
    });
  });

  it('reads a range inside one day from the raw rows only', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-01T12:00:00Z') }),
    ).toEqual({
      days: null,
      partial: [{ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-01T12:00:00Z') }],
    });
  });

  it('reads two neighbouring partial days as one raw range', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-02T12:00:00Z') }),
    ).toEqual({
      days: null,
      partial: [{ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-02T12:00:00Z') }],
    });
  });

  it('handles open ends with a partial edge', () => {
    expect(splitRange({ from: at('2026-11-01T10:00:00Z'), to: null })).toEqual({
      days: { from: '2026-11-02', to: null },
      partial: [{ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-02T00:00:00Z') }],
    });
    expect(splitRange({ from: null, to: at('2026-11-01T10:00:00Z') })).toEqual({
      days: { from: null, to: '2026-11-01' },
      partial: [{ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-01T10:00:00Z') }],
    });
  });

  it('is empty when from is not before to', () => {
    const t = at('2026-11-01T10:00:00Z');
    expect(splitRange({ from: t, to: t })).toEqual({ days: null, partial: [] });
    expect(splitRange({ from: t, to: at('2026-11-01T09:00:00Z') })).toEqual({
      days: null,
      partial: [],
    });
  });

  it('keeps milliseconds at the edges', () => {
    expect(
      splitRange({ from: at('2026-11-01T23:59:59.999Z'), to: at('2026-11-03T00:00:00.001Z') }),
    ).toEqual({
      days: { from: '2026-11-02', to: '2026-11-03' },
      partial: [
        { from: at('2026-11-01T23:59:59.999Z'), to: at('2026-11-02T00:00:00Z') },
        { from: at('2026-11-03T00:00:00Z'), to: at('2026-11-03T00:00:00.001Z') },
      ],
    });
  });
});
