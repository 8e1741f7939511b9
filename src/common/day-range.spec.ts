import { splitRange } from './day-range';

const at = (iso: string) => new Date(iso);
const range = (from: string, to: string) => ({ from: at(from), to: at(to) });

describe(splitRange.name, () => {
  it('serves an open range from the daily rollups alone', () => {
    expect(splitRange({ from: null, to: null })).toEqual({
      days: { from: null, to: null },
      hours: [],
      partial: [],
    });
  });

  it('serves whole days from the daily rollups alone', () => {
    expect(
      splitRange({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') }),
    ).toEqual({ days: { from: '2026-11-01', to: '2026-11-08' }, hours: [], partial: [] });
  });

  it('serves the whole hours of the edge days from the hourly rollups', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-08T06:00:00Z') }),
    ).toEqual({
      days: { from: '2026-11-02', to: '2026-11-08' },
      hours: [
        range('2026-11-01T10:00:00Z', '2026-11-02T00:00:00Z'),
        range('2026-11-08T00:00:00Z', '2026-11-08T06:00:00Z'),
      ],
      partial: [],
    });
  });

  it('reads only the partial hours at both edges from the raw rows', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:30:00Z'), to: at('2026-11-08T06:15:00Z') }),
    ).toEqual({
      days: { from: '2026-11-02', to: '2026-11-08' },
      hours: [
        range('2026-11-01T11:00:00Z', '2026-11-02T00:00:00Z'),
        range('2026-11-08T00:00:00Z', '2026-11-08T06:00:00Z'),
      ],
      partial: [
        range('2026-11-01T10:30:00Z', '2026-11-01T11:00:00Z'),
        range('2026-11-08T06:00:00Z', '2026-11-08T06:15:00Z'),
      ],
    });
  });

  it('reads a range inside one day from the hourly rollups and the raw rows', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:20:00Z'), to: at('2026-11-01T12:40:00Z') }),
    ).toEqual({
      days: null,
      hours: [range('2026-11-01T11:00:00Z', '2026-11-01T12:00:00Z')],
      partial: [
        range('2026-11-01T10:20:00Z', '2026-11-01T11:00:00Z'),
        range('2026-11-01T12:00:00Z', '2026-11-01T12:40:00Z'),
      ],
    });
  });

  it('reads two neighbouring partial days as one run of hours', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-02T12:00:00Z') }),
    ).toEqual({
      days: null,
      hours: [range('2026-11-01T10:00:00Z', '2026-11-02T12:00:00Z')],
      partial: [],
    });
  });

  it('reads a range inside one hour from the raw rows only', () => {
    expect(
      splitRange({ from: at('2026-11-01T10:05:00Z'), to: at('2026-11-01T10:55:00Z') }),
    ).toEqual({
      days: null,
      hours: [],
      partial: [range('2026-11-01T10:05:00Z', '2026-11-01T10:55:00Z')],
    });
    expect(
      splitRange({ from: at('2026-11-01T23:30:00Z'), to: at('2026-11-02T00:30:00Z') }),
    ).toEqual({
      days: null,
      hours: [],
      partial: [range('2026-11-01T23:30:00Z', '2026-11-02T00:30:00Z')],
    });
  });

  it('handles open ends with a partial edge', () => {
    expect(splitRange({ from: at('2026-11-01T10:30:00Z'), to: null })).toEqual({
      days: { from: '2026-11-02', to: null },
      hours: [range('2026-11-01T11:00:00Z', '2026-11-02T00:00:00Z')],
      partial: [range('2026-11-01T10:30:00Z', '2026-11-01T11:00:00Z')],
    });
    expect(splitRange({ from: null, to: at('2026-11-01T10:30:00Z') })).toEqual({
      days: { from: null, to: '2026-11-01' },
      hours: [range('2026-11-01T00:00:00Z', '2026-11-01T10:00:00Z')],
      partial: [range('2026-11-01T10:00:00Z', '2026-11-01T10:30:00Z')],
    });
  });

  it('is empty when from is not before to', () => {
    const t = at('2026-11-01T10:00:00Z');
    expect(splitRange({ from: t, to: t })).toEqual({ days: null, hours: [], partial: [] });
    expect(splitRange({ from: t, to: at('2026-11-01T09:00:00Z') })).toEqual({
      days: null,
      hours: [],
      partial: [],
    });
  });

  it('keeps milliseconds at the edges', () => {
    expect(
      splitRange({ from: at('2026-11-01T23:59:59.999Z'), to: at('2026-11-03T00:00:00.001Z') }),
    ).toEqual({
      days: { from: '2026-11-02', to: '2026-11-03' },
      hours: [],
      partial: [
        range('2026-11-01T23:59:59.999Z', '2026-11-02T00:00:00Z'),
        range('2026-11-03T00:00:00Z', '2026-11-03T00:00:00.001Z'),
      ],
    });
  });

  it('covers every instant of the range exactly once', () => {
    const from = at('2026-10-30T07:12:34.567Z');
    const to = at('2026-11-04T19:45:01.002Z');
    const split = splitRange({ from, to });
    const pieces = [
      ...(split.days === null
        ? []
        : [range(`${split.days.from}T00:00:00Z`, `${split.days.to}T00:00:00Z`)]),
      ...split.hours,
      ...split.partial,
    ].sort((a, b) => a.from.getTime() - b.from.getTime());
    expect(pieces[0].from).toEqual(from);
    expect(pieces[pieces.length - 1].to).toEqual(to);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i].from).toEqual(pieces[i - 1].to);
  });
});
