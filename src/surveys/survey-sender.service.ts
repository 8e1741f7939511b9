import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { ConversationsService } from '../conversations/conversations.service';
import type { SendSurveyDto } from './dto/send-survey.dto';
import type { SurveyDto } from './dto/survey.dto';
import { GraphApiError } from './graph/graph-api-error';
import { GraphSendApiClient } from './graph/graph-send-api.client';
import { validateSendSurveyRequest } from './send-survey-request';
import { SurveyPages } from './survey-pages.service';
import { SurveyRepository } from './survey.repository';
import { toSurveyDto } from './survey-view';
import { buildSendApiBody } from './template/send-api-body';
import { messagingWindow } from './template/messaging-window';

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
  ) {}

  async send(body: SendSurveyDto | undefined): Promise<SurveyDto> {
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
    const window = messagingWindow(lastInboundAt, new Date());
    if ('outside' in window) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'OUTSIDE_MESSAGING_WINDOW',
        `the customer last wrote at ${lastInboundAt?.toISOString()}, more than 7 days ago: a survey can no longer be sent`,
        { lastInboundAt: lastInboundAt?.toISOString() ?? null },
      );
    }

    const request = buildSendApiBody(template, { id: recipientId }, window);
    const survey = {
      pageId,
      recipientId,
      type: template.type,
      questionId: template.questionId,
      request,
      ...window,
    };
    try {
      const { messageId } = await this.graph.sendMessage(pageId, token, request);
      const sentAt = new Date();
      const row = await this.surveys.insert({
        ...survey,
        status: 'sent',
        messageId,
        error: null,
        sentAt,
        expiresAt: new Date(sentAt.getTime() + template.expiresInDays * DAY_MS),
      });
      return toSurveyDto(row, sentAt);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      const sentAt = new Date();
      const row = await this.surveys.insert({
        ...survey,
        status: 'failed',
        messageId: null,
        error: error.detail,
        sentAt,
        expiresAt: new Date(sentAt.getTime() + template.expiresInDays * DAY_MS),
      });
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
