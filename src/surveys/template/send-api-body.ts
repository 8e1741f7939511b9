import type { ScoreLabel, ScoreOption, ScoreType, SurveyTemplate } from './survey-template';

/** How a survey goes out; see messagingWindow. */
export interface SurveyMessaging {
  messagingType: 'RESPONSE' | 'MESSAGE_TAG';
  tag: 'CUSTOMER_FEEDBACK' | null;
}

export interface FeedbackQuestion {
  id: string;
  type: ScoreType;
  title?: string;
  score_label: ScoreLabel;
  score_option: ScoreOption;
  follow_up?: { type: 'free_form'; placeholder?: string };
}

/** The Send API request body of a Customer Feedback Template (POST /{version}/me/messages). */
export interface SendApiBody {
  recipient: { id: string };
  messaging_type: 'RESPONSE' | 'MESSAGE_TAG';
  tag?: 'CUSTOMER_FEEDBACK';
  message: {
    attachment: {
      type: 'template';
      payload: {
        template_type: 'customer_feedback';
        title: string;
        subtitle: string;
        button_title: string;
        feedback_screens: [{ questions: [FeedbackQuestion] }];
        business_privacy: { url: string };
        expires_in_days: number;
      };
    };
  };
}

/**
 * Builds the Send API body for a validated template. `score_option` and `score_label` are always
 * sent, resolved to their defaults: they are codes, not text, so naming them costs no
 * translation, and the stored request then says exactly which view the customer saw, whatever
 * Meta's defaults become. The question title and the placeholder are sent only when given, since
 * Meta translates its own defaults into the customer's locale and would not translate ours.
 * Meta supports one screen with one question, hence the single-element arrays.
 */
export function buildSendApiBody(
  template: SurveyTemplate,
  recipient: { id: string },
  messaging: SurveyMessaging,
): SendApiBody {
  if (messaging.messagingType === 'MESSAGE_TAG' && messaging.tag === null) {
    // Meta refuses MESSAGE_TAG without a tag: a caller bug, not a customer's.
    throw new Error('MESSAGE_TAG needs the CUSTOMER_FEEDBACK tag');
  }
  const question: FeedbackQuestion = {
    id: template.questionId,
    type: template.type,
    ...(template.questionTitle !== null && { title: template.questionTitle }),
    score_label: template.scoreLabel,
    score_option: template.scoreOption,
    ...(template.followUp !== null && {
      follow_up: {
        type: 'free_form' as const,
        ...(template.followUp.placeholder !== null && {
          placeholder: template.followUp.placeholder,
        }),
      },
    }),
  };
  return {
    recipient: { id: recipient.id },
    messaging_type: messaging.messagingType,
    // The tag only travels with MESSAGE_TAG; a standard response carries none.
    ...(messaging.messagingType === 'MESSAGE_TAG' && { tag: 'CUSTOMER_FEEDBACK' as const }),
    message: {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'customer_feedback',
          title: template.title,
          subtitle: template.subtitle,
          button_title: template.buttonTitle,
          feedback_screens: [{ questions: [question] }],
          business_privacy: { url: template.privacyUrl },
          expires_in_days: template.expiresInDays,
        },
      },
    },
  };
}
