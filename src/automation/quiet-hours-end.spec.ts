import { quietHoursEnd } from './quiet-hours-end';

describe('quietHoursEnd', () => {
  const paris = { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' };

  it('is now outside the quiet hours', () => {
    const noon = new Date('2026-12-03T11:00:00.500Z');
    expect(quietHoursEnd(paris, noon)).toEqual(noon);
  });

  it('is the next local end across midnight, in the rule’s time zone', () => {
    // 23:30 in Paris (UTC+1 in December): the end is 08:00 Paris the next day, 07:00 UTC.
    expect(quietHoursEnd(paris, new Date('2026-12-03T22:30:12Z'))).toEqual(
      new Date('2026-12-04T07:00:00Z'),
    );
    // 00:30 in Paris, after midnight: the same morning.
    expect(quietHoursEnd(paris, new Date('2026-12-03T23:30:00Z'))).toEqual(
      new Date('2026-12-04T07:00:00Z'),
    );
    // Summer (UTC+2): 22:00 Paris → 06:00 UTC.
    expect(quietHoursEnd(paris, new Date('2026-07-01T20:00:00Z'))).toEqual(
      new Date('2026-07-02T06:00:00Z'),
    );
  });

  it('works for quiet hours within one day and a zone west of UTC', () => {
    const lunch = { from: '12:00', to: '13:30', timeZone: 'America/New_York' };
    // 12:15 in New York (UTC-5).
    expect(quietHoursEnd(lunch, new Date('2026-12-03T17:15:00Z'))).toEqual(
      new Date('2026-12-03T18:30:00Z'),
    );
  });
});
