import { Injectable, Logger } from '@nestjs/common';
import { OnMessengerEvent } from '../../events/event-bus';
import { MessagingFeedbackEvent } from '../../events/messenger-events';
import { timestampOr } from '../../common/instant';
import { dedupeKey } from '../../webhook/intake/messenger-event.parser';
import { answersToStore } from './feedback-answers';
import { SurveyAnswerRepository } from './survey-answer.repository';

/** Records the answers of a submitted Customer Feedback Template (`messaging_feedback`). */
@Injectable()
export class SurveyAnswersHandler {
  private readonly logger = new Logger(SurveyAnswersHandler.name);

  constructor(private readonly answers: SurveyAnswerRepository) {}

  @OnMessengerEvent(MessagingFeedbackEvent)
  async onMessagingFeedback(event: MessagingFeedbackEvent): Promise<void> {
    const rows = answersToStore(event.data.answers);
    if (rows.length === 0) return;
    if (event.pageId === null || event.userId === null) {
      // Without both there is no survey to answer and no Page to count for; retrying cannot help.
      this.logger.warn('messaging_feedback without a Page or a customer: not recorded');
      return;
    }
    // Idempotent by construction: keyed by the event's dedupe key (see SurveyAnswerRepository).
    await this.answers.record({
      eventKey: dedupeKey(event),
      pageId: event.pageId,
      userId: event.userId,
      submittedAt: timestampOr(event.timestamp, new Date()),
      answers: rows,
    });
  }
}
