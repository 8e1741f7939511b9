import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../../events/event-bus';
import { MessagingFeedbackEvent } from '../../events/messenger-events';
import { PermanentEventError } from '../../events/permanent-event.error';
import { answersToStore } from './feedback-answers';
import { SurveyAnswerRepository } from './survey-answer.repository';

/** Records the answers of a submitted Customer Feedback Template (`messaging_feedback`). */
@Injectable()
export class SurveyAnswersHandler {
  constructor(private readonly answers: SurveyAnswerRepository) {}

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
    // Idempotent by construction: keyed by the event's dedupe key (see SurveyAnswerRepository).
    await this.answers.record({
      eventKey: event.key,
      pageId: event.pageId,
      userId: event.userId,
      submittedAt: event.occurredAt(),
      answers: rows,
    });
  }
}
