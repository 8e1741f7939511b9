import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import { ResponseFeedbackEvent } from '../events/messenger-events';
import { PermanentEventError } from '../events/permanent-event.error';
import { ResponseFeedbackRepository } from './response-feedback.repository';

/** Stores a customer's thumbs up / thumbs down on one of the Page's messages (`response_feedback`). */
@Injectable()
export class ResponseFeedbackHandler {
  constructor(private readonly feedback: ResponseFeedbackRepository) {}

  @OnMessengerEvent(ResponseFeedbackEvent)
  async onResponseFeedback(event: ResponseFeedbackEvent): Promise<void> {
    // Feedback is kept per Page and customer: without both it can never be stored. Thrown rather
    // than dropped with a log line, so the inbox lists the event as dead, with why.
    if (event.pageId === null) throw new PermanentEventError('response_feedback without a Page id');
    if (event.userId === null) {
      throw new PermanentEventError('response_feedback without a customer (sender.id)');
    }
    await this.feedback.upsert({
      pageId: event.pageId,
      userId: event.userId,
      mid: event.data.mid,
      feedback: event.data.feedback,
      eventKey: event.key,
      occurredAt: event.occurredAt(),
    });
  }
}
