import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Metrics } from '../../metrics/metrics';
import type { SqlClient } from '../../database/transaction';
import { OnMessengerEvent } from '../../events/event-bus';
import { MessagingFeedbackEvent } from '../../events/messenger-events';
import { PermanentEventError } from '../../events/permanent-event.error';
import type { OutboundEvent } from '../../outbound/outbound-event';
import { OutboundEvents } from '../../outbound/outbound-events.service';
import { SurveyRepository } from '../survey.repository';
import { toSurveyDetailDto } from '../survey-view';
import { isScoreType } from '../template/survey-template';
import { answersToStore } from './feedback-answers';
import { InsertedAnswer, SurveyAnswerRepository } from './survey-answer.repository';

/** Records the answers of a submitted Customer Feedback Template (`messaging_feedback`). */
@Injectable()
export class SurveyAnswersHandler {
  constructor(
    private readonly answers: SurveyAnswerRepository,
    private readonly surveys: SurveyRepository,
    private readonly outbound: OutboundEvents,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  @OnMessengerEvent(MessagingFeedbackEvent)
  async onMessagingFeedback(event: MessagingFeedbackEvent): Promise<void> {
    const rows = answersToStore(event.data.answers);
    if (rows.length === 0) return;
    // Without both there is no survey to answer and no Page to count for: thrown rather than
    // dropped with a log line, so the inbox lists the event as dead, with why.
    if (event.pageId === null) {
      throw new PermanentEventError('messaging_feedback without a Page id');
    }
    if (event.userId === null) {
      throw new PermanentEventError('messaging_feedback without a customer (sender.id)');
    }
    const answered = {
      pageId: event.pageId,
      userId: event.userId,
      submittedAt: event.occurredAt(),
    };
    // Idempotent by construction: keyed by the event's dedupe key (see SurveyAnswerRepository).
    // The outbound events go with the answers they report: only rows written now cause them.
    let answeredTypes: string[] = [];
    await this.answers.record(
      { eventKey: event.key, ...answered, answers: rows },
      (tx, inserted) => {
        // The type as Meta sent it is any string: a label takes the known ones only.
        answeredTypes = inserted.flatMap((row) =>
          row.surveyId === null ? [] : [isScoreType(row.type) ? row.type : 'other'],
        );
        return this.reportAnswers(tx, answered, inserted);
      },
    );
    // Counted once committed: surveys answered now (an answer matching no survey is not one).
    for (const type of answeredTypes) this.metrics.surveys.inc({ event: 'answered', type });
  }

  /** survey.responded for each answered survey, survey.low_score for each valid score. */
  private async reportAnswers(
    tx: SqlClient,
    answered: { pageId: string; userId: string; submittedAt: Date },
    inserted: InsertedAnswer[],
  ): Promise<void> {
    const now = this.clock.now();
    const surveyIds = inserted.flatMap((row) => (row.surveyId === null ? [] : [row.surveyId]));
    const surveys = new Map(
      (await this.surveys.findByIds(surveyIds, tx)).map((s) => [s.id, toSurveyDetailDto(s, now)]),
    );
    const events: OutboundEvent[] = [];
    for (const row of inserted) {
      const survey = row.surveyId === null ? null : (surveys.get(row.surveyId) ?? null);
      if (survey !== null) events.push({ type: 'survey.responded', data: survey });
      if (row.valid && row.score !== null && isScoreType(row.type)) {
        const answer = {
          pageId: answered.pageId,
          userId: answered.userId,
          questionId: row.questionId,
          type: row.type,
          score: row.score,
          followUpText: row.followUpText,
          submittedAt: answered.submittedAt.toISOString(),
          surveyId: row.surveyId,
        };
        events.push({
          type: 'survey.low_score',
          data: { answer, survey },
          score: { type: row.type, score: row.score },
        });
      }
    }
    await this.outbound.record(tx, events);
  }
}
