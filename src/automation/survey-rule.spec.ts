import { inQuietHours, inSample, validateSurveyRule } from './survey-rule';

const valid = {
  name: 'CSAT after support',
  trigger: { type: 'postback', payload: 'RESOLVED' },
  survey: { type: 'csat', privacyUrl: 'https://example.com/privacy' },
};

describe(validateSurveyRule.name, () => {
  it('fills the defaults', () => {
    expect(validateSurveyRule(valid, {})).toEqual({
      ok: true,
      rule: {
        ...valid,
        enabled: true,
        pageIds: null,
        throttle: null,
        sampleRate: 1,
        quietHours: null,
        useFeedbackTag: true,
      },
    });
  });

  it('names every failing field at once, the survey by the send validation', () => {
    const result = validateSurveyRule(
      {
        name: '',
        trigger: { type: 'conversation_idle', idleMinutes: 0 },
        survey: { type: 'stars', recipientId: '1', title: 'x'.repeat(66) },
        throttle: { perCustomerDays: 0 },
        sampleRate: 0,
        quietHours: { from: '25:00', to: '08:00', timeZone: 'Mars/Olympus' },
        pageIds: [],
        extra: 1,
      },
      { privacyPolicyUrl: 'https://example.com/p' },
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        'property extra should not exist',
        expect.stringMatching(/^name /),
        expect.stringMatching(/^pageIds /),
        expect.stringMatching(/^trigger\.idleMinutes /),
        'survey.recipientId should not exist: the rule decides it',
        expect.stringMatching(/^survey\.type /),
        expect.stringMatching(/^survey\.title /),
        expect.stringMatching(/^throttle\.perCustomerDays /),
        expect.stringMatching(/^sampleRate /),
        expect.stringMatching(/^quietHours\.from /),
        expect.stringMatching(/^quietHours\.timeZone /),
      ]),
    );
    expect(errors).toHaveLength(11);
  });
});

describe(inQuietHours.name, () => {
  const paris = { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' };
  it.each([
    ['2026-12-03T19:59:00Z', false], // 20:59 in Paris (UTC+1)
    ['2026-12-03T20:00:00Z', true], // 21:00
    ['2026-12-03T23:30:00Z', true], // 00:30, across midnight
    ['2026-12-04T06:59:00Z', true], // 07:59
    ['2026-12-04T07:00:00Z', false], // 08:00
    ['2026-07-04T06:30:00Z', false], // 08:30 in summer (UTC+2)
  ])('at %s in Paris: %s', (at, quiet) => {
    expect(inQuietHours(paris, new Date(at))).toBe(quiet);
  });

  it('handles a range within one day', () => {
    const lunch = { from: '12:00', to: '13:00', timeZone: 'Asia/Tokyo' };
    expect(inQuietHours(lunch, new Date('2026-12-03T03:30:00Z'))).toBe(true); // 12:30
    expect(inQuietHours(lunch, new Date('2026-12-03T04:00:00Z'))).toBe(false); // 13:00
  });
});

describe(inSample.name, () => {
  it('is deterministic and keeps about the share asked', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const kept = keys.filter((k) => inSample(0.3, 'rule', k)).length;
    expect(kept).toBeGreaterThan(2_700);
    expect(kept).toBeLessThan(3_300);
    expect(keys.filter((k) => inSample(0.3, 'rule', k)).length).toBe(kept);
    expect(keys.every((k) => inSample(1, 'rule', k))).toBe(true);
  });
});
