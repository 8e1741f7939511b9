import { Injectable } from '@nestjs/common';
import type { ResponseFeedbackValue } from '../events/messenger-events';
import { rate } from '../common/rate';
import { ResponseFeedbackRepository } from './response-feedback.repository';

export interface ResponseFeedbackSummary {
  good: number;
  bad: number;
  total: number;
  /** good / total, 4 decimals; null without feedback. */
  goodRate: number | null;
}

/** What other modules (the message read API) and the controller may ask of response feedback. */
@Injectable()
export class ResponseFeedbackService {
  constructor(private readonly feedback: ResponseFeedbackRepository) {}

  async summary(
    pageId: string | undefined,
    from: Date | null,
    to: Date | null,
  ): Promise<ResponseFeedbackSummary> {
    const { good, bad } = await this.feedback.count(pageId, from, to);
    const total = good + bad;
    // The same arithmetic as a survey response rate: one division, 4 decimals, null for 0 / 0.
    return { good, bad, total, goodRate: rate(good, total) };
  }

  /** The customer's latest feedback ("good" / "bad") on each of the Page's messages `mids`. */
  feedbackForMessages(
    pageId: string,
    userId: string,
    mids: readonly string[],
  ): Promise<Map<string, ResponseFeedbackValue>> {
    return this.feedback.findForMessages(pageId, userId, mids);
  }
}
