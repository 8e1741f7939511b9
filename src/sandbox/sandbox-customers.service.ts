import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { SurveyRepository } from '../surveys/survey.repository';
import { effectiveStatus } from '../surveys/survey-view';
import { isScoreType, SCORE_RANGES } from '../surveys/template/survey-template';
import type {
  AcceptedEventDto,
  AcceptedMessageDto,
  AnsweredSurveyDto,
  CustomerFeedbackDto,
  CustomerMessageDto,
  CustomerReactionDto,
  CustomerResponseFeedbackDto,
  InboxDto,
  InboxMessageDto,
} from './dto/sandbox.dto';
import { OUTBOX_MESSAGES_PER_CUSTOMER, SandboxOutbox, SentMessage } from './sandbox-outbox';
import { newMid } from './sandbox-ids';
import { MessagingEvent, SandboxWebhook } from './sandbox-webhook';

/** The emoji Messenger puts beside each reaction name. */
const EMOJI: Record<string, string> = {
  smile: '\u{1F606}',
  angry: '\u{1F620}',
  sad: '\u{1F622}',
  wow: '\u{1F62E}',
  love: '\u{2764}\u{FE0F}',
  like: '\u{1F44D}',
  dislike: '\u{1F44E}',
  other: '\u{1F64F}',
};

/** The survey question inside a Customer Feedback Template as the Send API received it. */
interface SentQuestion {
  id: string;
  type: string;
  followUp: boolean;
}

function sentQuestion(message: Record<string, unknown>): SentQuestion | null {
  const attachment = message.attachment as { type?: unknown; payload?: unknown } | undefined;
  const payload = attachment?.payload as
    { template_type?: unknown; feedback_screens?: unknown } | undefined;
  if (payload?.template_type !== 'customer_feedback') return null;
  const screens = Array.isArray(payload.feedback_screens) ? payload.feedback_screens : [];
  const questions = (screens[0] as { questions?: unknown } | undefined)?.questions;
  const question = (Array.isArray(questions) ? questions[0] : undefined) as
    { id?: unknown; type?: unknown; follow_up?: unknown } | undefined;
  if (typeof question?.id !== 'string' || typeof question.type !== 'string') return null;
  return { id: question.id, type: question.type, followUp: question.follow_up != null };
}

/**
 * What a simulated customer of the sandbox Page does, each action a Messenger event delivered
 * through POST /webhook (SandboxWebhook) with the current time, and what the Page sent them.
 */
@Injectable()
export class SandboxCustomers {
  private readonly pageId: string;

  constructor(
    config: AppConfig,
    private readonly webhook: SandboxWebhook,
    private readonly outbox: SandboxOutbox,
    private readonly surveys: SurveyRepository,
  ) {
    this.pageId = (config.sandbox as { pageId: string }).pageId;
  }

  private event(psid: string, timestamp: number, fields: Record<string, unknown>): MessagingEvent {
    return { sender: { id: psid }, recipient: { id: this.pageId }, timestamp, ...fields };
  }

  async write(psid: string, input: CustomerMessageDto): Promise<AcceptedMessageDto> {
    const attachments = input.attachments ?? [];
    if (input.text === undefined && attachments.length === 0) {
      throw AppError.validation(['text or attachments is required']);
    }
    const mid = newMid();
    const timestamp = Date.now();
    await this.webhook.deliver(this.pageId, [
      this.event(psid, timestamp, {
        message: {
          mid,
          ...(input.text !== undefined && { text: input.text }),
          ...(input.quickReplyPayload !== undefined && {
            quick_reply: { payload: input.quickReplyPayload },
          }),
          ...(input.replyTo !== undefined && { reply_to: { mid: input.replyTo } }),
          ...(attachments.length > 0 && {
            attachments: attachments.map(({ type, url }) => ({ type, payload: { url } })),
          }),
        },
      }),
    ]);
    await this.webhook.handled(`/api/messages/${encodeURIComponent(mid)}`);
    return { mid, timestamp: new Date(timestamp).toISOString() };
  }

  async react(psid: string, input: CustomerReactionDto): Promise<AcceptedEventDto> {
    const timestamp = Date.now();
    await this.webhook.deliver(this.pageId, [
      this.event(psid, timestamp, {
        reaction: {
          mid: input.mid,
          action: input.action,
          reaction: input.reaction,
          emoji: EMOJI[input.reaction],
        },
      }),
    ]);
    return { timestamp: new Date(timestamp).toISOString() };
  }

  async rateResponse(psid: string, input: CustomerResponseFeedbackDto): Promise<AcceptedEventDto> {
    const timestamp = Date.now();
    await this.webhook.deliver(this.pageId, [
      this.event(psid, timestamp, {
        response_feedback: { feedback: input.feedback, mid: input.mid },
      }),
    ]);
    return { timestamp: new Date(timestamp).toISOString() };
  }

  /**
   * Submits a survey the customer received, as Meta's `messaging_feedback` (seed 002's shape),
   * with the question id and type of the template the simulated Send API received. Only what
   * Messenger lets a customer do: a survey sent to them, delivered, open, answered once, with a
   * score its scale offers, and a follow-up only where the template asks one.
   */
  async answer(psid: string, input: CustomerFeedbackDto): Promise<AnsweredSurveyDto> {
    const survey = await this.surveys.findById(input.surveyId);
    if (survey === null || survey.pageId !== this.pageId || survey.recipientId !== psid) {
      throw AppError.notFound(`survey ${input.surveyId} to customer ${psid} of the sandbox Page`);
    }
    const now = new Date();
    const status = effectiveStatus(survey, now);
    if (status !== 'sent') {
      const [code, why] =
        status === 'failed'
          ? ['SURVEY_NOT_DELIVERED', 'its send failed: the customer never received it']
          : status === 'expired'
            ? ['SURVEY_EXPIRED', 'it has expired: Messenger no longer offers the form']
            : ['SURVEY_ALREADY_ANSWERED', 'the customer has answered it already'];
      throw new AppError(
        HttpStatus.CONFLICT,
        code,
        `survey ${survey.id} cannot be answered: ${why}`,
      );
    }
    const sent = survey.messageId === null ? null : this.outbox.find(psid, survey.messageId);
    const question = (sent && sentQuestion(sent.message)) ?? {
      id: survey.questionId,
      type: survey.type,
      followUp: true,
    };
    const errors: string[] = [];
    if (isScoreType(question.type)) {
      const { min, max } = SCORE_RANGES[question.type];
      if (input.score < min || input.score > max) {
        errors.push(`score must be ${min} to ${max} for a ${question.type} survey`);
      }
    }
    if (input.followUp !== undefined && !question.followUp) {
      errors.push('followUp is not possible: this survey asks no follow-up');
    }
    if (errors.length > 0) throw AppError.validation(errors);
    const timestamp = now.getTime();
    await this.webhook.deliver(this.pageId, [
      this.event(psid, timestamp, {
        messaging_feedback: {
          feedback_screens: [
            {
              screen_id: 0,
              questions: {
                [question.id]: {
                  type: question.type,
                  payload: String(input.score),
                  ...(input.followUp !== undefined && {
                    follow_up: { type: 'free_form', payload: input.followUp },
                  }),
                },
              },
            },
          ],
        },
      }),
    ]);
    await this.webhook.handled(
      `/api/surveys/${survey.id}`,
      (view) => (view as { status?: string }).status !== 'sent',
    );
    return { surveyId: survey.id, questionId: question.id, timestamp: now.toISOString() };
  }

  /** What the Page sent this customer through the simulated Send API, oldest first. */
  async inbox(psid: string): Promise<InboxDto> {
    const sent = this.outbox.messagesTo(psid);
    const now = new Date();
    const surveys = sent.some((message) => sentQuestion(message.message) !== null)
      ? await this.surveys.list(
          { pageId: this.pageId, recipientId: psid },
          now,
          OUTBOX_MESSAGES_PER_CUSTOMER,
          null,
        )
      : [];
    const byMid = new Map(surveys.map((row) => [row.messageId, row]));
    return {
      items: sent.map((message) => {
        const question = sentQuestion(message.message);
        const row = byMid.get(message.mid);
        return {
          ...describe(message),
          ...(question !== null && { kind: 'survey' as const }),
          survey:
            question === null || row === undefined
              ? null
              : {
                  id: row.id,
                  type: row.type,
                  questionId: row.questionId,
                  status: effectiveStatus(row, now),
                  followUp: question.followUp,
                },
        };
      }),
    };
  }
}

function describe(sent: SentMessage): Omit<InboxMessageDto, 'survey'> {
  const { message } = sent;
  const attachment = message.attachment as { type?: unknown } | undefined;
  return {
    mid: sent.mid,
    sentAt: sent.sentAt.toISOString(),
    kind:
      attachment === undefined
        ? 'text'
        : attachment.type === 'template'
          ? 'template'
          : 'attachment',
    text: typeof message.text === 'string' ? message.text : null,
    messagingType: sent.messagingType,
    tag: sent.tag,
    message,
  };
}
