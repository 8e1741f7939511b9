import { validateSendSurveyRequest } from './send-survey-request';

const DEFAULTS = {
  businessName: 'Original Coast Clothing',
  privacyPolicyUrl: 'https://www.example.com',
};

describe(validateSendSurveyRequest.name, () => {
  it('accepts a minimal request and resolves the defaults', () => {
    const result = validateSendSurveyRequest(
      { recipientId: '1254459154682919', type: 'nps' },
      DEFAULTS,
    );
    expect(result).toEqual({
      ok: true,
      request: {
        recipientId: '1254459154682919',
        pageId: null,
        template: expect.objectContaining({
          type: 'nps',
          questionId: 'nps',
          title: 'Rate your experience with Original Coast Clothing',
          scoreOption: 'zero_to_ten',
          scoreLabel: 'unlike_like',
          privacyUrl: 'https://www.example.com',
          expiresInDays: 1,
        }),
      },
    });
  });

  it('keeps the given Page', () => {
    const result = validateSendSurveyRequest(
      { recipientId: '1', pageId: '1090', type: 'csat' },
      DEFAULTS,
    );
    expect(result.ok && result.request.pageId).toBe('1090');
  });

  it('names the recipient, the Page and every template field at once', () => {
    expect(
      validateSendSurveyRequest({ pageId: '../me', type: 'ces', title: 'x'.repeat(66) }, DEFAULTS),
    ).toEqual({
      ok: false,
      errors: [
        'recipientId is required',
        'pageId must be a Page id: letters, digits, _ or -, at most 128 characters',
        'title must be at most 65 characters',
      ],
    });
  });

  it.each([5, 'with space', 'a'.repeat(129)])('refuses the recipient %j', (recipientId) => {
    expect(validateSendSurveyRequest({ recipientId, type: 'csat' }, DEFAULTS)).toEqual({
      ok: false,
      errors: ['recipientId must be a PSID: letters, digits, _ or -, at most 128 characters'],
    });
  });
});
