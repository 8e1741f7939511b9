import { parseInstant, parseRangeBound } from './instant';

describe(parseInstant.name, () => {
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T12:30', '2026-11-01T12:30:00.000Z'],
    ['2026-11-01T12:30:15', '2026-11-01T12:30:15.000Z'],
    ['2026-11-01T12:30:15.250Z', '2026-11-01T12:30:15.250Z'],
    ['2026-11-01T12:30:15+02:00', '2026-11-01T10:30:15.000Z'],
    ['2026-11-01T00:30:00-0100', '2026-11-01T01:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as UTC', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '2026-13-01',
    '2026-02-30',
    '2025-02-29',
    '2026-11-01 12:00',
    '1700000000',
    '2026-11-01T25:00',
  ])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(parseInstant(1700000000)).toBeNull();
  });
});

describe('instants PostgreSQL and JavaScript do not share', () => {
  it.each(['0000-01-01', '+275760-09-13', '-271821-04-20', '10000-01-01'])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('reads years 1 to 99 as themselves, not as 1900-1999', () => {
    expect(parseInstant('0001-01-01')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseInstant('0099-12-31')?.toISOString()).toBe('0099-12-31T00:00:00.000Z');
    expect(parseInstant('9999-12-31T23:59:59Z')?.toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });

  it('does keep range bounds a day short of year 10000', () => {
    expect(parseRangeBound('9999-12-31')?.toISOString()).toBe('9999-12-31T00:00:00.000Z');
    expect(parseRangeBound('9999-12-31T23:59:59Z')).toBeNull();
  });
});
