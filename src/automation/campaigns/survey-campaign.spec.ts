import {
  BACKOFF_MAX_MS,
  type Pacing,
  RECOVER_AFTER_MS,
  refill,
  slowDown,
  validateSurveyCampaign,
} from './survey-campaign';

const T0 = new Date('2026-12-03T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const pacing = (over: Partial<Pacing> = {}): Pacing => ({
  ratePerSecond: 50,
  currentRate: 50,
  tokens: 0,
  tokensAt: T0,
  pausedUntil: null,
  backoffMs: 0,
  rateChangedAt: T0,
  ...over,
});

describe(validateSurveyCampaign.name, () => {
  it('fills the defaults', () => {
    const result = validateSurveyCampaign(
      { pageId: '1', since: '2026-11-01', survey: { type: 'csat' } },
      { privacyPolicyUrl: 'https://example.com/p' },
    );
    expect(result).toEqual({
      ok: true,
      campaign: {
        pageId: '1',
        since: new Date('2026-11-01T00:00:00Z'),
        until: null,
        survey: { type: 'csat' },
        ratePerSecond: 20,
        throttle: null,
        useFeedbackTag: true,
      },
    });
  });

  it('names every failing field at once', () => {
    const result = validateSurveyCampaign(
      {
        pageId: 7,
        since: 'yesterday',
        until: '2026-13-01',
        survey: { type: 'csat', pageId: '2', title: 'x'.repeat(66) },
        ratePerSecond: 2.5,
        throttle: { perCustomerDays: 366 },
        useFeedbackTag: 1,
        extra: true,
      },
      { privacyPolicyUrl: 'https://example.com/p' },
    );
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.split(' ')[0]).sort()).toEqual(
      [
        'pageId',
        'property',
        'ratePerSecond',
        'since',
        'survey.pageId',
        'survey.title',
        'throttle.perCustomerDays',
        'until',
        'useFeedbackTag',
      ].sort(),
    );
  });

  it('refuses more than Meta’s 300 calls per second per Page', () => {
    const body = { pageId: '1', since: '2026-11-01', survey: { type: 'csat' } };
    const defaults = { privacyPolicyUrl: 'https://example.com/p' };
    expect(validateSurveyCampaign({ ...body, ratePerSecond: 300 }, defaults).ok).toBe(true);
    expect(validateSurveyCampaign({ ...body, ratePerSecond: 301 }, defaults).ok).toBe(false);
  });
});

describe('pacing', () => {
  it('refills at the current rate, at most a fifth of a second’s burst', () => {
    expect(refill(pacing(), at(100)).tokens).toBeCloseTo(5);
    expect(refill(pacing(), at(60_000)).tokens).toBe(10);
    expect(refill(pacing({ currentRate: 1, ratePerSecond: 1 }), at(500)).tokens).toBeCloseTo(0.5);
  });

  it('halves the rate and pauses on a rate limit, once per burst, longer while they go on', () => {
    const first = slowDown(pacing(), at(0));
    expect(first).toMatchObject({ currentRate: 25, backoffMs: 1_000, tokens: 0 });
    expect(first.pausedUntil).toEqual(at(1_000));
    // Another error of the same burst, during the pause: nothing more.
    expect(slowDown(first, at(10))).toBe(first);
    const second = slowDown(first, at(1_500));
    expect(second).toMatchObject({ currentRate: 12, backoffMs: 2_000 });
    let p = second;
    for (let i = 0; i < 20; i++) p = slowDown(p, at(1_000_000 * (i + 1)));
    expect(p).toMatchObject({ currentRate: 1, backoffMs: BACKOFF_MAX_MS });
  });

  it('recovers a tenth of the asked rate per quiet step, back to it', () => {
    let p = slowDown(pacing(), at(0)); // 25
    p = refill(p, at(RECOVER_AFTER_MS - 1));
    expect(p.currentRate).toBe(25);
    for (let step = 1; step <= 6; step++) p = refill(p, at(step * RECOVER_AFTER_MS));
    expect(p).toMatchObject({ currentRate: 50, backoffMs: 0 });
  });
});
