import { Injectable, Logger } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import { ResponseFeedbackEvent } from '../events/messenger-events';
import { dedupeKey } from '../webhook/intake/messenger-event.parser';
import { timestampOr } from '../common/instant';
import { ResponseFeedbackRepository } from './response-feedback.repository';

/** Stores a customer's thumbs up / thumbs down on one of the Page's messages (`response_feedback`). */
@Injectable()
export class ResponseFeedbackHandler {
  private readonly logger = new Logger(ResponseFeedbackHandler.name);

  constructor(private readonly feedback: ResponseFeedbackRepository) {}

  @OnMessengerEvent(ResponseFeedbackEvent)
  async onResponseFeedback(event: ResponseFeedbackEvent): Promise<void> {
    if (event.pageId === null || event.userId === null) {
      this.logger.warn('response_feedback without a Page or a customer: not recorded');
      return;
    }
    await this.feedback.upsert({
      pageId: event.pageId,
      userId: event.userId,
      mid: event.data.mid,
      feedback: event.data.feedback,
      eventKey: dedupeKey(event),
      occurredAt: timestampOr(event.timestamp, new Date()),
    });
  }
}
