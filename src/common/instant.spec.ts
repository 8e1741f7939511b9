import { parseInstant } from './instant';

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
