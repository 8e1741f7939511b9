import { buildSendApiBody } from './send-api-body';
import type { SurveyTemplate } from './survey-template';
import { validateSurveyTemplate } from './validate-survey-template';

const RESPONSE = { messagingType: 'RESPONSE', tag: null } as const;
const TAGGED = { messagingType: 'MESSAGE_TAG', tag: 'CUSTOMER_FEEDBACK' } as const;
const recipient = { id: '1254459154682919' };

function template(overrides: Partial<SurveyTemplate> = {}): SurveyTemplate {
  return {
    type: 'csat',
    questionId: 'hauydmns8',
    title: 'Rate your experience with Original Coast Clothing',
    subtitle: 'Let Original Coast Clothing know how they are doing',
    buttonTitle: 'Rate Experience',
    questionTitle: null,
    scoreOption: 'five_stars',
    scoreLabel: 'neg_pos',
    followUp: null,
    privacyUrl: 'https://www.example.com',
    expiresInDays: 1,
    ...overrides,
  };
}

describe(buildSendApiBody.name, () => {
  it('builds the body of the seed example: csat with title, labels and a follow-up', () => {
    const body = buildSendApiBody(
      template({
        questionTitle: 'How would you rate your experience with Original Coast Clothing?',
        followUp: { placeholder: 'Give additional feedback' },
        expiresInDays: 3,
      }),
      recipient,
      RESPONSE,
    );
    expect(body).toEqual({
      recipient: { id: '1254459154682919' },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'customer_feedback',
            title: 'Rate your experience with Original Coast Clothing',
            subtitle: 'Let Original Coast Clothing know how they are doing',
            button_title: 'Rate Experience',
            feedback_screens: [
              {
                questions: [
                  {
                    id: 'hauydmns8',
                    type: 'csat',
                    title: 'How would you rate your experience with Original Coast Clothing?',
                    score_label: 'neg_pos',
                    score_option: 'five_stars',
                    follow_up: { type: 'free_form', placeholder: 'Give additional feedback' },
                  },
                ],
              },
            ],
            business_privacy: { url: 'https://www.example.com' },
            expires_in_days: 3,
          },
        },
      },
    });
    expect('tag' in body).toBe(false);
  });

  it('leaves out the question title and follow-up when not set (csat)', () => {
    const body = buildSendApiBody(template(), recipient, RESPONSE);
    expect(body.message.attachment.payload.feedback_screens).toEqual([
      {
        questions: [
          { id: 'hauydmns8', type: 'csat', score_label: 'neg_pos', score_option: 'five_stars' },
        ],
      },
    ]);
  });

  it('sends a follow-up without placeholder as free_form only', () => {
    const body = buildSendApiBody(
      template({ followUp: { placeholder: null } }),
      recipient,
      RESPONSE,
    );
    expect(body.message.attachment.payload.feedback_screens[0].questions[0].follow_up).toEqual({
      type: 'free_form',
    });
  });

  it('builds an nps body with the tag', () => {
    const body = buildSendApiBody(
      template({
        type: 'nps',
        questionId: 'nps',
        scoreOption: 'zero_to_ten',
        scoreLabel: 'unlike_like',
        expiresInDays: 7,
      }),
      recipient,
      TAGGED,
    );
    expect(body).toEqual({
      recipient: { id: '1254459154682919' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'CUSTOMER_FEEDBACK',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'customer_feedback',
            title: 'Rate your experience with Original Coast Clothing',
            subtitle: 'Let Original Coast Clothing know how they are doing',
            button_title: 'Rate Experience',
            feedback_screens: [
              {
                questions: [
                  {
                    id: 'nps',
                    type: 'nps',
                    score_label: 'unlike_like',
                    score_option: 'zero_to_ten',
                  },
                ],
              },
            ],
            business_privacy: { url: 'https://www.example.com' },
            expires_in_days: 7,
          },
        },
      },
    });
  });

  it('builds a ces body from a validated request, with a follow-up and the tag', () => {
    const result = validateSurveyTemplate(
      { type: 'ces', questionId: 'effort_1', followUp: { placeholder: 'What slowed you down?' } },
      { businessName: 'Original Coast Clothing', privacyPolicyUrl: 'https://www.example.com' },
    );
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(buildSendApiBody(result.template, recipient, TAGGED)).toEqual({
      recipient: { id: '1254459154682919' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'CUSTOMER_FEEDBACK',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'customer_feedback',
            title: 'Rate your experience with Original Coast Clothing',
            subtitle: 'Let Original Coast Clothing know how they are doing',
            button_title: 'Rate experience',
            feedback_screens: [
              {
                questions: [
                  {
                    id: 'effort_1',
                    type: 'ces',
                    score_label: 'hard_easy',
                    score_option: 'one_to_seven',
                    follow_up: { type: 'free_form', placeholder: 'What slowed you down?' },
                  },
                ],
              },
            ],
            business_privacy: { url: 'https://www.example.com' },
            expires_in_days: 1,
          },
        },
      },
    });
  });

  it('builds a ces body without a follow-up as a standard response', () => {
    const body = buildSendApiBody(
      template({
        type: 'ces',
        questionId: 'ces',
        scoreOption: 'one_to_seven',
        scoreLabel: 'hard_easy',
      }),
      recipient,
      RESPONSE,
    );
    expect(body.messaging_type).toBe('RESPONSE');
    expect('tag' in body).toBe(false);
    expect(body.message.attachment.payload.feedback_screens[0].questions[0]).toEqual({
      id: 'ces',
      type: 'ces',
      score_label: 'hard_easy',
      score_option: 'one_to_seven',
    });
  });

  it('refuses MESSAGE_TAG without a tag', () => {
    expect(() =>
      buildSendApiBody(template(), recipient, { messagingType: 'MESSAGE_TAG', tag: null }),
    ).toThrow('MESSAGE_TAG needs the CUSTOMER_FEEDBACK tag');
  });
});
