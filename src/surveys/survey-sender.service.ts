import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { graphCodeLabel, Metrics } from '../metrics/metrics';
import { ConversationsService } from '../conversations/conversations.service';
import type { SendSurveyDto } from './dto/send-survey.dto';
import type { SurveyDto } from './dto/survey.dto';
import { GraphApiError } from './graph/graph-api-error';
import { GraphSendApiClient } from './graph/graph-send-api.client';
import { validateSendSurveyRequest } from './send-survey-request';
import { SurveyPages } from './survey-pages.service';
import { OutboundEvents } from '../outbound/outbound-events.service';
import { SurveyRepository } from './survey.repository';
import { toSurveyDetailDto, toSurveyDto } from './survey-view';
import { buildSendApiBody } from './template/send-api-body';
import { messagingWindow } from './template/messaging-window';
import { newSurveyId, sentQuestionId } from './template/sent-question-id';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * POST /api/surveys: check everything that can be checked here, then send once through the Graph
 * API and keep the outcome. Nothing is sent (and nothing stored) for a request that fails a check.
 */
@Injectable()
export class SurveySender {
  private readonly logger = new Logger(SurveySender.name);

  constructor(
    private readonly config: AppConfig,
    private readonly pages: SurveyPages,
    private readonly conversations: ConversationsService,
    private readonly graph: GraphSendApiClient,
    private readonly surveys: SurveyRepository,
    private readonly outbound: OutboundEvents,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  /**
   * `origin.ruleId`: the automation rule that sends it (kept on the survey); none by hand.
   * `options.callerRetries`: one request only, and a transient failure (a rate limit, a timeout,
   * a 5xx) is thrown as the GraphApiError itself with nothing stored: the caller (a campaign)
   * paces and makes the next attempt. `options.beforeSend`: awaited just before the Send API call
   * (a campaign takes its rate slot there); if it throws, nothing is sent or stored.
   */
  async send(
    body: SendSurveyDto | undefined,
    origin: { ruleId?: string } = {},
    options: { callerRetries?: boolean; beforeSend?: () => Promise<void> } = {},
  ): Promise<SurveyDto> {
    const checked = validateSendSurveyRequest((body ?? {}) as Record<string, unknown>, {
      businessName: this.config.businessName,
      privacyPolicyUrl: this.config.privacyPolicyUrl,
    });
    const choice = await this.pages.choose(
      checked.ok ? checked.request.pageId : (body?.pageId ?? null),
    );
    const errors = [
      ...(checked.ok ? [] : checked.errors),
      ...('error' in choice ? [choice.error] : []),
    ];
    if (!checked.ok || 'error' in choice) throw AppError.validation(errors);
    const { recipientId, template } = checked.request;

    const token = this.pages.tokenFor(choice.pageId);
    const pageId = choice.pageId ?? (await this.lookUpPageId(token));

    const lastInboundAt = await this.conversations.lastInboundAt(pageId, recipientId);
    const window = messagingWindow(lastInboundAt, this.clock.now());
    if ('outside' in window) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'OUTSIDE_MESSAGING_WINDOW',
        `the customer last wrote at ${lastInboundAt?.toISOString()}, more than 7 days ago: a survey can no longer be sent`,
        { lastInboundAt: lastInboundAt?.toISOString() ?? null },
      );
    }

    // The survey's id is chosen now so the question id sent to Meta can name it (exact matching).
    const id = newSurveyId();
    const sentQuestion = sentQuestionId(template.questionId, id);
    const request = buildSendApiBody(
      { ...template, questionId: sentQuestion },
      { id: recipientId },
      window,
    );
    const survey = {
      id,
      sentQuestionId: sentQuestion,
      ruleId: origin.ruleId ?? null,
      pageId,
      recipientId,
      type: template.type,
      questionId: template.questionId,
      request,
      ...window,
    };
    await options.beforeSend?.();
    try {
      const { messageId } = await this.graph.sendMessage(
        pageId,
        token,
        request,
        options.callerRetries === true ? { maxAttempts: 1 } : {},
      );
      this.metrics.graphSends.inc({ outcome: 'sent', code: 'none' });
      const sentAt = this.clock.now();
      const row = await this.surveys.insert(
        {
          ...survey,
          status: 'sent',
          messageId,
          error: null,
          sentAt,
          expiresAt: new Date(sentAt.getTime() + template.expiresInDays * DAY_MS),
        },
        (tx, sent) =>
          this.outbound.record(tx, [
            { type: 'survey.sent', data: toSurveyDetailDto(sent, sentAt) },
          ]),
      );
      this.metrics.surveys.inc({ event: 'sent', type: template.type });
      return toSurveyDto(row, sentAt);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      this.metrics.graphSends.inc({ outcome: 'failed', code: graphCodeLabel(error.detail.code) });
      if (options.callerRetries === true && error.detail.transient) throw error;
      const sentAt = this.clock.now();
      const row = await this.surveys.insert(
        {
          ...survey,
          status: 'failed',
          messageId: null,
          error: error.detail,
          sentAt,
          expiresAt: new Date(sentAt.getTime() + template.expiresInDays * DAY_MS),
        },
        (tx, failed) =>
          this.outbound.record(tx, [
            { type: 'survey.failed', data: toSurveyDetailDto(failed, sentAt) },
          ]),
      );
      this.metrics.surveys.inc({ event: 'failed', type: template.type });
      const { code, errorSubcode, fbtraceId, attempts } = error.detail;
      this.logger.warn(
        `survey ${row.id} to Page ${pageId} failed after ${attempts} attempt(s): code ${code ?? '-'}, subcode ${errorSubcode ?? '-'}, fbtrace_id ${fbtraceId ?? '-'}`,
      );
      throw graphApiFailure(error, row.id);
    }
  }

  private async lookUpPageId(token: string): Promise<string> {
    try {
      return await this.pages.pageIdOfToken(token);
    } catch (error) {
      if (error instanceof GraphApiError) throw graphApiFailure(error, null);
      throw error;
    }
  }
}

/** 502 with Meta's code, error_subcode and fbtrace_id (docs/api.md). */
function graphApiFailure(error: GraphApiError, surveyId: string | null): AppError {
  return new AppError(HttpStatus.BAD_GATEWAY, 'GRAPH_API_ERROR', error.message, {
    surveyId,
    graphError: error.detail,
  });
}
