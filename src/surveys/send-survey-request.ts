import type { SurveyTemplate, SurveyTemplateDefaults } from './template/survey-template';
import { validateSurveyTemplate } from './template/validate-survey-template';

/** A checked POST /api/surveys body. */
export interface SendSurveyRequest {
  recipientId: string;
  /** Null when left out: chosen among the known Pages. */
  pageId: string | null;
  template: SurveyTemplate;
}

export type SendSurveyRequestResult =
  { ok: true; request: SendSurveyRequest } | { ok: false; errors: string[] };

const PSID = /^[A-Za-z0-9_-]{1,128}$/;
// It goes into the Send API path, so no slashes, dots or other separators.
const PAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Checks a survey request: the recipient and Page, then every limit of the template. Every failing
 * field is named in one list, so a client fixes its request in one round trip.
 */
export function validateSendSurveyRequest(
  body: Record<string, unknown>,
  defaults: SurveyTemplateDefaults,
): SendSurveyRequestResult {
  const errors: string[] = [];
  const { recipientId, pageId } = body;
  if (recipientId == null || recipientId === '') errors.push('recipientId is required');
  else if (typeof recipientId !== 'string' || !PSID.test(recipientId)) {
    errors.push('recipientId must be a PSID: letters, digits, _ or -, at most 128 characters');
  }
  if (pageId != null && (typeof pageId !== 'string' || !PAGE_ID.test(pageId))) {
    errors.push('pageId must be a Page id: letters, digits, _ or -, at most 128 characters');
  }
  const template = validateSurveyTemplate(body, defaults);
  if (!template.ok) errors.push(...template.errors);
  if (errors.length > 0 || !template.ok) return { ok: false, errors };
  return {
    ok: true,
    request: {
      recipientId: recipientId as string,
      pageId: (pageId as string | null | undefined) ?? null,
      template: template.template,
    },
  };
}
