import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import { ResponseFeedbackEvent } from '../events/messenger-events';
import { PermanentEventError } from '../events/permanent-event.error';
import { OutboundEvents } from '../outbound/outbound-events.service';
import { ResponseFeedbackRepository } from './response-feedback.repository';

/** Stores a customer's thumbs up / thumbs down on one of the Page's messages (`response_feedback`). */
@Injectable()
export class ResponseFeedbackHandler {
  constructor(
    private readonly feedback: ResponseFeedbackRepository,
    private readonly outbound: OutboundEvents,
  ) {}

  @OnMessengerEvent(ResponseFeedbackEvent)
  async onResponseFeedback(event: ResponseFeedbackEvent): Promise<void> {
    // Feedback is kept per Page and customer: without both it can never be stored. Thrown rather
    // than dropped with a log line, so the inbox lists the event as dead, with why.
    if (event.pageId === null) throw new PermanentEventError('response_feedback without a Page id');
    if (event.userId === null) {
      throw new PermanentEventError('response_feedback without a customer (sender.id)');
    }
    const feedback = {
      pageId: event.pageId,
      userId: event.userId,
      mid: event.data.mid,
      feedback: event.data.feedback,
      occurredAt: event.occurredAt(),
    };
    // response_feedback.bad goes with the stored feedback, once: not for a redelivered event.
    await this.feedback.upsert({ ...feedback, eventKey: event.key }, (tx) =>
      feedback.feedback === 'bad'
        ? this.outbound.record(tx, [
            {
              type: 'response_feedback.bad',
              data: { ...feedback, occurredAt: feedback.occurredAt.toISOString() },
            },
          ])
        : Promise.resolve(),
    );
  }
}
