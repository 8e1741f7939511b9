import type { SurveyDetailDto, SurveyDto } from './dto/survey.dto';
import type { SurveyRow, SurveyStatus } from './survey.repository';

/** A survey past its expiry without an answer is expired, whether or not the job has marked it. */
export function effectiveStatus(
  row: Pick<SurveyRow, 'status' | 'expiresAt'>,
  now: Date,
): SurveyStatus {
  return row.status === 'sent' && row.expiresAt.getTime() <= now.getTime() ? 'expired' : row.status;
}

export function toSurveyDto(row: SurveyRow, now: Date): SurveyDto {
  return {
    id: row.id,
    status: effectiveStatus(row, now),
    pageId: row.pageId,
    recipientId: row.recipientId,
    type: row.type,
    questionId: row.questionId,
    messageId: row.messageId,
    messagingType: row.messagingType,
    tag: row.tag,
    sentAt: row.sentAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}

export function toSurveyDetailDto(row: SurveyRow, now: Date): SurveyDetailDto {
  return {
    ...toSurveyDto(row, now),
    response:
      row.answer === null
        ? null
        : {
            score: row.answer.score,
            followUpText: row.answer.followUpText,
            submittedAt: row.answer.submittedAt.toISOString(),
          },
    error: row.error,
  };
}
