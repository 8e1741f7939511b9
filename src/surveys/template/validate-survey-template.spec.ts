import type {
  SurveyTemplate,
  SurveyTemplateDefaults,
  SurveyTemplateInput,
} from './survey-template';
import { validateSurveyTemplate } from './validate-survey-template';

const PRIVACY = 'https://www.example.com/privacy';
const defaults: SurveyTemplateDefaults = {
  businessName: 'Original Coast Clothing',
  privacyPolicyUrl: PRIVACY,
};

function errorsOf(input: SurveyTemplateInput, withDefaults = defaults): string[] {
  const result = validateSurveyTemplate(input, withDefaults);
  return result.ok ? [] : result.errors;
}

function templateOf(input: SurveyTemplateInput, withDefaults = defaults): SurveyTemplate {
  const result = validateSurveyTemplate(input, withDefaults);
  if (!result.ok) throw new Error(`unexpected errors: ${result.errors.join('; ')}`);
  return result.template;
}

describe(validateSurveyTemplate.name, () => {
  describe('defaults', () => {
    it('resolves every default for a bare csat request', () => {
      expect(templateOf({ type: 'csat' })).toEqual({
        type: 'csat',
        questionId: 'csat',
        title: 'Rate your experience with Original Coast Clothing',
        subtitle: 'Let Original Coast Clothing know how they are doing',
        buttonTitle: 'Rate experience',
        questionTitle: null,
        scoreOption: 'five_stars',
        scoreLabel: 'neg_pos',
        followUp: null,
        privacyUrl: PRIVACY,
        expiresInDays: 1,
      });
    });

    it('resolves the nps and ces defaults', () => {
      expect(templateOf({ type: 'nps' })).toMatchObject({
        questionId: 'nps',
        scoreOption: 'zero_to_ten',
        scoreLabel: 'unlike_like',
      });
      expect(templateOf({ type: 'ces' })).toMatchObject({
        questionId: 'ces',
        scoreOption: 'one_to_seven',
        scoreLabel: 'hard_easy',
      });
    });

    it('uses generic texts without a business name', () => {
      expect(
        templateOf({ type: 'csat' }, { businessName: null, privacyPolicyUrl: PRIVACY }),
      ).toMatchObject({
        title: 'Rate your experience',
        subtitle: 'Let us know how we are doing',
      });
    });

    it('keeps defaults within the limits for a very long business name', () => {
      const template = templateOf(
        { type: 'csat' },
        { businessName: 'X'.repeat(500), privacyPolicyUrl: PRIVACY },
      );
      expect(template.title.endsWith('…')).toBe(true);
    });

    it('treats null as not given', () => {
      expect(
        templateOf({
          type: 'nps',
          questionId: null,
          title: null,
          subtitle: null,
          buttonTitle: null,
          questionTitle: null,
          scoreOption: null,
          scoreLabel: null,
          followUp: null,
          privacyUrl: null,
          expiresInDays: null,
        }),
      ).toEqual(templateOf({ type: 'nps' }));
    });

    it('keeps every given value', () => {
      expect(
        templateOf({
          type: 'csat',
          questionId: 'q_1',
          title: 'How did we do?',
          subtitle: 'Two taps, that is all',
          buttonTitle: 'Rate us',
          questionTitle: 'How was your order?',
          scoreOption: 'five_emojis',
          scoreLabel: 'poor_great',
          followUp: { placeholder: 'Tell us more' },
          privacyUrl: 'http://shop.example/privacy',
          expiresInDays: 7,
        }),
      ).toEqual({
        type: 'csat',
        questionId: 'q_1',
        title: 'How did we do?',
        subtitle: 'Two taps, that is all',
        buttonTitle: 'Rate us',
        questionTitle: 'How was your order?',
        scoreOption: 'five_emojis',
        scoreLabel: 'poor_great',
        followUp: { placeholder: 'Tell us more' },
        privacyUrl: 'http://shop.example/privacy',
        expiresInDays: 7,
      });
    });
  });

  describe('type', () => {
    it('is required', () => {
      expect(errorsOf({})).toEqual(['type is required']);
      expect(errorsOf({ type: '' })).toEqual(['type is required']);
    });

    it('must be csat, nps or ces', () => {
      expect(errorsOf({ type: 'free_form' })).toEqual(['type must be one of csat, nps, ces']);
      expect(errorsOf({ type: 'CSAT' })).toEqual(['type must be one of csat, nps, ces']);
    });
  });

  describe('questionId', () => {
    it.each(['q', 'banjkkl__2345', 'Q_1', '___', 'a'.repeat(80)])('accepts %j', (questionId) => {
      expect(errorsOf({ type: 'csat', questionId })).toEqual([]);
    });

    it.each(['abnj-4567', '', 'a'.repeat(81), 'q 1', 'q.1', 'qé', 'q😀'])(
      'rejects %j',
      (questionId) => {
        expect(errorsOf({ type: 'csat', questionId })).toEqual([
          'questionId must match [A-Za-z0-9_]{1,80}',
        ]);
      },
    );
  });

  describe.each([
    ['title', 65],
    ['subtitle', 80],
    ['buttonTitle', 20],
  ] as const)('%s', (field, max) => {
    it(`accepts ${max} characters`, () => {
      expect(errorsOf({ type: 'csat', [field]: 'a'.repeat(max) })).toEqual([]);
    });

    it(`rejects ${max + 1} characters`, () => {
      expect(errorsOf({ type: 'csat', [field]: 'a'.repeat(max + 1) })).toEqual([
        `${field} must be at most ${max} characters`,
      ]);
    });

    it('counts an emoji as one character', () => {
      expect(errorsOf({ type: 'csat', [field]: '😀'.repeat(max) })).toEqual([]);
      expect(errorsOf({ type: 'csat', [field]: '😀'.repeat(max + 1) })).toEqual([
        `${field} must be at most ${max} characters`,
      ]);
    });

    it('rejects a URL', () => {
      expect(errorsOf({ type: 'csat', [field]: 'go t.me/x' })).toEqual([
        `${field} must not contain a URL`,
      ]);
    });

    it('rejects an empty text', () => {
      expect(errorsOf({ type: 'csat', [field]: '  ' })).toEqual([`${field} must not be empty`]);
    });

    it('rejects a non-string', () => {
      expect(errorsOf({ type: 'csat', [field]: 42 })).toEqual([`${field} must be a string`]);
    });
  });

  describe('questionTitle', () => {
    it('accepts 5 and 85 characters', () => {
      expect(errorsOf({ type: 'csat', questionTitle: 'a'.repeat(5) })).toEqual([]);
      expect(errorsOf({ type: 'csat', questionTitle: 'a'.repeat(85) })).toEqual([]);
    });

    it('rejects 4 characters', () => {
      expect(errorsOf({ type: 'csat', questionTitle: 'a'.repeat(4) })).toEqual([
        'questionTitle must be at least 5 characters',
      ]);
    });

    it('rejects 86 characters', () => {
      expect(errorsOf({ type: 'csat', questionTitle: 'a'.repeat(86) })).toEqual([
        'questionTitle must be at most 85 characters',
      ]);
    });

    it('counts emoji as one character each', () => {
      expect(errorsOf({ type: 'csat', questionTitle: '😀'.repeat(4) })).toEqual([
        'questionTitle must be at least 5 characters',
      ]);
      expect(errorsOf({ type: 'csat', questionTitle: '😀'.repeat(5) })).toEqual([]);
    });

    it('rejects a URL', () => {
      expect(errorsOf({ type: 'csat', questionTitle: 'How was https://shop?' })).toEqual([
        'questionTitle must not contain a URL',
      ]);
    });
  });

  describe('followUp', () => {
    it('accepts true without a placeholder', () => {
      expect(templateOf({ type: 'csat', followUp: true }).followUp).toEqual({ placeholder: null });
    });

    it('accepts an object without a placeholder', () => {
      expect(templateOf({ type: 'csat', followUp: {} }).followUp).toEqual({ placeholder: null });
    });

    it('accepts a placeholder of 65 characters', () => {
      const placeholder = 'p'.repeat(65);
      expect(templateOf({ type: 'csat', followUp: { placeholder } }).followUp).toEqual({
        placeholder,
      });
    });

    it('rejects a placeholder of 66 characters', () => {
      expect(errorsOf({ type: 'csat', followUp: { placeholder: 'p'.repeat(66) } })).toEqual([
        'followUp.placeholder must be at most 65 characters',
      ]);
    });

    it('rejects a URL in the placeholder', () => {
      expect(errorsOf({ type: 'csat', followUp: { placeholder: 'or mail www.shop.com' } })).toEqual(
        ['followUp.placeholder must not contain a URL'],
      );
    });

    it('rejects anything else', () => {
      expect(errorsOf({ type: 'csat', followUp: 'yes' } as unknown as SurveyTemplateInput)).toEqual(
        ['followUp must be true or an object with an optional placeholder'],
      );
    });
  });

  describe('scoreOption', () => {
    it.each([
      ['csat', 'one_to_five'],
      ['csat', 'five_stars'],
      ['csat', 'five_emojis'],
      ['nps', 'zero_to_ten'],
      ['ces', 'one_to_seven'],
    ])('accepts %s with %s', (type, scoreOption) => {
      expect(errorsOf({ type, scoreOption })).toEqual([]);
    });

    it.each([
      ['csat', 'zero_to_ten', 'one_to_five, five_stars, five_emojis'],
      ['csat', '1_to_5', 'one_to_five, five_stars, five_emojis'],
      ['nps', 'five_stars', 'zero_to_ten'],
      ['ces', 'one_to_five', 'one_to_seven'],
    ])('rejects %s with %s', (type, scoreOption, allowed) => {
      expect(errorsOf({ type, scoreOption })).toEqual([
        `scoreOption must be one of ${allowed} for ${type}`,
      ]);
    });
  });

  describe('scoreLabel', () => {
    it.each(['csat', 'nps', 'ces'])('accepts every label for %s', (type) => {
      for (const scoreLabel of [
        'neg_pos',
        'hard_easy',
        'dis_sat',
        'unlike_like',
        'poor_great',
        'none',
      ]) {
        expect(errorsOf({ type, scoreLabel })).toEqual([]);
      }
    });

    it('rejects an unknown label', () => {
      expect(errorsOf({ type: 'nps', scoreLabel: 'bad_good' })).toEqual([
        'scoreLabel must be one of neg_pos, hard_easy, dis_sat, unlike_like, poor_great, none for nps',
      ]);
    });
  });

  describe('privacyUrl', () => {
    const noDefaults: SurveyTemplateDefaults = { businessName: 'Shop', privacyPolicyUrl: null };

    it('falls back to PRIVACY_POLICY_URL', () => {
      expect(templateOf({ type: 'csat' }).privacyUrl).toBe(PRIVACY);
    });

    it('prefers the given URL', () => {
      expect(templateOf({ type: 'csat', privacyUrl: 'https://a.example/p' }).privacyUrl).toBe(
        'https://a.example/p',
      );
    });

    it('is required without PRIVACY_POLICY_URL', () => {
      expect(errorsOf({ type: 'csat' }, noDefaults)).toEqual([
        'privacyUrl is required when PRIVACY_POLICY_URL is not set',
      ]);
      expect(errorsOf({ type: 'csat' }, { businessName: 'Shop', privacyPolicyUrl: '' })).toEqual([
        'privacyUrl is required when PRIVACY_POLICY_URL is not set',
      ]);
    });

    it.each([
      'https://example.com',
      'http://example.com/privacy?lang=en',
      'https://localhost:8443/p',
    ])('accepts %j', (privacyUrl) => {
      expect(errorsOf({ type: 'csat', privacyUrl }, noDefaults)).toEqual([]);
    });

    it.each([
      '',
      'example.com/privacy',
      '/privacy',
      'ftp://example.com',
      'https:example.com',
      'https://',
      'https://exa mple.com',
      ' https://example.com',
      'javascript:alert(1)',
    ])('rejects %j', (privacyUrl) => {
      expect(errorsOf({ type: 'csat', privacyUrl }, noDefaults)).toEqual([
        'privacyUrl must be an absolute http or https URL',
      ]);
    });

    it('names PRIVACY_POLICY_URL when the default is not a URL', () => {
      expect(
        errorsOf({ type: 'csat' }, { businessName: null, privacyPolicyUrl: 'example.com' }),
      ).toEqual(['privacyUrl must be an absolute http or https URL (PRIVACY_POLICY_URL is not)']);
    });
  });

  describe('expiresInDays', () => {
    it.each([1, 7])('accepts %d', (expiresInDays) => {
      expect(templateOf({ type: 'csat', expiresInDays }).expiresInDays).toBe(expiresInDays);
    });

    it.each([0, 8, 1.5, -1, Number.NaN])('rejects %d', (expiresInDays) => {
      expect(errorsOf({ type: 'csat', expiresInDays })).toEqual([
        'expiresInDays must be an integer from 1 to 7',
      ]);
    });

    it('rejects a numeric string', () => {
      expect(
        errorsOf({ type: 'csat', expiresInDays: '3' } as unknown as SurveyTemplateInput),
      ).toEqual(['expiresInDays must be an integer from 1 to 7']);
    });
  });

  it('reports every failing field together', () => {
    expect(
      errorsOf(
        {
          type: 'nps',
          questionId: 'q-1',
          title: 'T'.repeat(66),
          subtitle: 'see example.com',
          buttonTitle: 'B'.repeat(21),
          questionTitle: 'Why',
          scoreOption: 'five_stars',
          scoreLabel: 'meh',
          followUp: { placeholder: 'www.x.com' + 'p'.repeat(60) },
          expiresInDays: 8,
        },
        { businessName: null, privacyPolicyUrl: null },
      ),
    ).toEqual([
      'questionId must match [A-Za-z0-9_]{1,80}',
      'title must be at most 65 characters',
      'subtitle must not contain a URL',
      'buttonTitle must be at most 20 characters',
      'questionTitle must be at least 5 characters',
      'scoreOption must be one of zero_to_ten for nps',
      'scoreLabel must be one of neg_pos, hard_easy, dis_sat, unlike_like, poor_great, none for nps',
      'followUp.placeholder must be at most 65 characters',
      'followUp.placeholder must not contain a URL',
      'privacyUrl is required when PRIVACY_POLICY_URL is not set',
      'expiresInDays must be an integer from 1 to 7',
    ]);
  });

  it('still checks the other fields when the type is unknown', () => {
    expect(
      errorsOf({ type: 'stars', questionId: 'a-b', scoreOption: 'nope', scoreLabel: 'none' }),
    ).toEqual([
      'type must be one of csat, nps, ces',
      'questionId must match [A-Za-z0-9_]{1,80}',
      'scoreOption must be one of one_to_five, five_stars, five_emojis, zero_to_ten, one_to_seven',
    ]);
  });
});
