import type { GraphErrorDetail } from '../../surveys/graph/graph-api-error';
import { validateSendSurveyRequest } from '../../surveys/send-survey-request';
import { messagingWindow } from '../../surveys/template/messaging-window';
import { buildSendApiBody, SendApiBody } from '../../surveys/template/send-api-body';
import type { ScoreType } from '../../surveys/template/survey-template';
import type { MessagingEvent } from '../sandbox-webhook';
import { DemoRandom } from './demo-random';
import {
  ATTACHMENT_URLS,
  BAD_COMMENTS,
  CUSTOMER_THANKS,
  EDITS,
  GOOD_COMMENTS,
  MIXED_COMMENTS,
  TOPICS,
} from './demo-texts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Who answers for the Page: an automated assistant, or a person in Meta's Page inbox. */
export const DEMO_BOT_APP_ID = '1000000000000101';
export const PAGE_INBOX_APP_ID = '263902037430900';

export interface DemoOptions {
  days: number;
  customers: number;
  seed: number;
  pageId: string;
  /** The history ends here (it is written back from this instant). */
  end: Date;
  businessName: string;
}

/** A survey the demo sends in the past: kept through the surveys repository, not the Send API. */
export interface PlannedSurvey {
  psid: string;
  type: ScoreType;
  questionId: string;
  request: SendApiBody;
  messageId: string | null;
  sentAt: Date;
  expiresAt: Date;
  error: GraphErrorDetail | null;
}

export interface DemoCounts {
  customers: number;
  conversations: number;
  messages: number;
  echoes: number;
  replies: number;
  edits: number;
  reactions: number;
  deliveryReceipts: number;
  readReceipts: number;
  responseFeedback: number;
  surveys: { csat: number; nps: number; ces: number };
  answered: { csat: number; nps: number; ces: number };
  /** Unanswered surveys past their expiry at the end of the history. */
  expired: number;
  /** Surveys still open at the end. */
  open: number;
  failed: number;
  comments: number;
  /** Webhook events in all (survey answers included). */
  events: number;
}

export interface DemoPlan {
  surveys: PlannedSurvey[];
  /** Oldest first. */
  events: MessagingEvent[];
  counts: DemoCounts;
}

/** How likely a customer answers, by survey type (CSAT is short, NPS feels like marketing). */
const ANSWER_RATE: Record<ScoreType, number> = { csat: 0.45, nps: 0.3, ces: 0.36 };
const FAILURES: readonly (readonly [
  Omit<GraphErrorDetail, 'attempts'> & { attempts: number },
  number,
])[] = [
  [
    {
      httpStatus: 400,
      code: 551,
      errorSubcode: 1545041,
      type: 'OAuthException',
      message: "(#551) This person isn't available right now.",
      fbtraceId: 'ADemoTrace551',
      transient: false,
      attempts: 1,
    },
    3,
  ],
  [
    {
      httpStatus: 400,
      code: 10,
      errorSubcode: 2018278,
      type: 'OAuthException',
      message: '(#10) This message is sent outside of allowed window.',
      fbtraceId: 'ADemoTrace10',
      transient: false,
      attempts: 1,
    },
    2,
  ],
  [
    {
      httpStatus: 500,
      code: 2,
      errorSubcode: null,
      type: 'OAuthException',
      message: 'Service temporarily unavailable',
      fbtraceId: 'ADemoTrace2',
      transient: true,
      attempts: 3,
    },
    1,
  ],
];

/**
 * How satisfied customers are at `progress` (0 at the start of the history, 1 at its end), by
 * type: CSAT improves steadily, NPS dips mid-way (a bad delivery month) and recovers, CES
 * improves after a slow start. The demo's trends are these curves plus noise.
 */
function drift(type: ScoreType, progress: number): number {
  if (type === 'csat') return -0.55 + 1.1 * progress;
  if (type === 'nps') return 0.35 - 2.2 * progress + 2.1 * progress * progress;
  return -0.4 + 0.9 * Math.max(0, progress - 0.25);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A score on each type's scale from a feeling (about −2 … 2). Each scale has its own spread. */
function score(type: ScoreType, feeling: number): number {
  if (type === 'csat') return clamp(Math.round(3.75 + 0.95 * feeling), 1, 5);
  if (type === 'nps') return clamp(Math.round(7.3 + 2.1 * feeling), 0, 10);
  return clamp(Math.round(4.9 + 1.25 * feeling), 1, 7);
}

/** Where a score sits on its scale, 0 (worst) to 1 (best). */
function standing(type: ScoreType, value: number): number {
  return type === 'nps' ? value / 10 : type === 'csat' ? (value - 1) / 4 : (value - 1) / 6;
}

/**
 * A believable Page's history, all of it decided by `seed`: customers who write over the days,
 * the Page answering (a bot or a person), receipts, reactions, replies, edits, response feedback,
 * and surveys of the three types after conversations, answered, expired or failed. Pure: the
 * writer (DemoWriter) stores it.
 */
export function planDemo(options: DemoOptions): DemoPlan {
  const random = new DemoRandom(options.seed);
  const { pageId, days } = options;
  const end = options.end.getTime();
  const start = end - days * DAY;
  const events: MessagingEvent[] = [];
  const surveys: PlannedSurvey[] = [];
  const counts: DemoCounts = {
    customers: options.customers,
    conversations: 0,
    messages: 0,
    echoes: 0,
    replies: 0,
    edits: 0,
    reactions: 0,
    deliveryReceipts: 0,
    readReceipts: 0,
    responseFeedback: 0,
    surveys: { csat: 0, nps: 0, ces: 0 },
    answered: { csat: 0, nps: 0, ces: 0 },
    expired: 0,
    open: 0,
    failed: 0,
    comments: 0,
    events: 0,
  };
  const seedTag = String(Math.abs(options.seed) % 1_000_000).padStart(6, '0');
  let mids = 0;
  const newMid = (): string => `m_demo${seedTag}_${(++mids).toString(36)}`;
  const orderNumber = (): string => String(random.int(10_000, 99_999));
  const say = (text: string): string => text.replace('{n}', orderNumber());

  const inbound = (psid: string, timestamp: number, fields: Record<string, unknown>): void => {
    events.push({ sender: { id: psid }, recipient: { id: pageId }, timestamp, ...fields });
  };
  const outbound = (
    psid: string,
    timestamp: number,
    appId: string,
    message: Record<string, unknown>,
  ): string => {
    const mid = newMid();
    events.push({
      sender: { id: pageId },
      recipient: { id: psid },
      timestamp,
      message: { mid, is_echo: true, app_id: appId, ...message },
    });
    counts.echoes++;
    // Delivered to the customer's phone a moment later.
    inbound(psid, timestamp + random.int(500, 4_000), {
      delivery: { mids: [mid], watermark: timestamp },
    });
    counts.deliveryReceipts++;
    return mid;
  };

  for (let c = 0; c < options.customers; c++) {
    const psid = `70${seedTag}${String(c).padStart(7, '0')}`;
    // Some customers are easy to please, some never are.
    const temper = random.normal() * 0.55;
    const conversations = 1 + random.poisson((1.6 * days) / 90);
    const starts = Array.from({ length: conversations }, () =>
      random.int(start, end - 6 * HOUR),
    ).sort((a, b) => a - b);
    let busyUntil = 0;
    for (const begun of starts) {
      if (begun < busyUntil) continue;
      counts.conversations++;
      const topic = random.weighted(TOPICS.map((t) => [t, t.name === 'praise' ? 1 : 2] as const));
      const human = random.chance(0.4);
      const appId = human ? PAGE_INBOX_APP_ID : DEMO_BOT_APP_ID;
      const progress = (begun - start) / (end - start);
      const feeling = (type: ScoreType): number =>
        temper +
        topic.effect +
        (human ? 0.25 : -0.1) +
        drift(type, progress) +
        random.normal() * 0.6;

      let t = begun;
      const customerMids: string[] = [];
      const pageMids: string[] = [];
      const exchanges = 1 + random.int(0, 2);
      let lastInbound = t;
      for (let turn = 0; turn < exchanges && t < end - 4 * HOUR; turn++) {
        // The customer writes (the first time on the topic, then a follow-up).
        const mid = newMid();
        const text = say(turn === 0 ? random.pick(topic.opening) : random.pick(topic.followUps));
        const replyTo =
          turn > 0 && pageMids.length > 0 && random.chance(0.18)
            ? pageMids[pageMids.length - 1]
            : null;
        const withPhoto = random.chance(0.07);
        inbound(psid, t, {
          message: {
            mid,
            text,
            ...(replyTo !== null && { reply_to: { mid: replyTo } }),
            ...(withPhoto && {
              attachments: [{ type: 'image', payload: { url: random.pick(ATTACHMENT_URLS) } }],
            }),
          },
        });
        counts.messages++;
        if (replyTo !== null) counts.replies++;
        customerMids.push(mid);
        lastInbound = t;
        if (random.chance(0.06)) {
          inbound(psid, t + random.int(5_000, 90_000), {
            message_edit: { mid, text: `${random.pick(EDITS)}${text}`, num_edit: 1 },
          });
          counts.edits++;
        }
        // The Page answers: a bot within seconds, a person within minutes to hours.
        t += human ? random.int(2 * MINUTE, 3 * HOUR) : random.int(3_000, 40_000);
        pageMids.push(outbound(psid, t, appId, { text: random.pick(topic.replies) }));
        t += random.int(MINUTE, 20 * MINUTE);
      }
      // The customer reads the Page's last message.
      const lastPage = t - 1;
      if (random.chance(0.8)) {
        inbound(psid, Math.min(end, lastPage + random.int(10_000, 40 * MINUTE)), {
          read: { watermark: lastPage - 1 },
        });
        counts.readReceipts++;
      }
      const mood = feeling('csat');
      if (random.chance(0.18) && pageMids.length > 0) {
        const reaction =
          mood > 0
            ? random.pick(['love', 'like', 'smile'])
            : random.pick(['angry', 'sad', 'dislike']);
        inbound(psid, Math.min(end, t + random.int(0, 10 * MINUTE)), {
          reaction: { mid: random.pick(pageMids), action: 'react', reaction },
        });
        counts.reactions++;
      }
      if (random.chance(0.15) && pageMids.length > 0) {
        inbound(psid, Math.min(end, t + random.int(0, 30 * MINUTE)), {
          response_feedback: {
            feedback: mood + random.normal() * 0.3 > -0.15 ? 'Good response' : 'Bad response',
            mid: random.pick(pageMids),
          },
        });
        counts.responseFeedback++;
      }
      if (random.chance(0.25)) {
        inbound(psid, Math.min(end, t + random.int(MINUTE, 15 * MINUTE)), {
          message: { mid: newMid(), text: random.pick(CUSTOMER_THANKS) },
        });
        counts.messages++;
      }
      busyUntil = t + HOUR;

      // Most conversations get a survey: soon after, or days later with the feedback tag.
      if (!random.chance(0.85)) continue;
      const type = random.weighted<ScoreType>([
        ['csat', 5],
        ['nps', 2.5],
        ['ces', 2.5],
      ]);
      const late = random.chance(0.25);
      const sentAt =
        t + (late ? random.int(DAY + HOUR, 5 * DAY) : random.int(20 * MINUTE, 6 * HOUR));
      if (sentAt > end - MINUTE) continue;
      const expiresInDays = random.pick([1, 1, 1, 2, 3, 7]);
      const followUp = random.chance(0.75);
      const checked = validateSendSurveyRequest(
        {
          recipientId: psid,
          pageId,
          type,
          expiresInDays,
          followUp,
          privacyUrl: 'https://www.example.com/privacy',
        },
        { businessName: options.businessName },
      );
      if (!checked.ok) throw new Error(`demo survey invalid: ${checked.errors.join('; ')}`);
      const { template } = checked.request;
      const window = messagingWindow(new Date(lastInbound), new Date(sentAt));
      if ('outside' in window) continue;
      const request = buildSendApiBody(template, { id: psid }, window);
      const expiresAt = sentAt + expiresInDays * DAY;
      counts.surveys[type]++;
      busyUntil = Math.max(busyUntil, expiresAt);
      if (random.chance(0.035)) {
        surveys.push({
          psid,
          type,
          questionId: template.questionId,
          request,
          messageId: null,
          sentAt: new Date(sentAt),
          expiresAt: new Date(expiresAt),
          error: { ...random.weighted(FAILURES) },
        });
        counts.failed++;
        continue;
      }
      const messageId = outbound(psid, sentAt, appId, {
        attachments: [request.message.attachment],
      });
      surveys.push({
        psid,
        type,
        questionId: template.questionId,
        request,
        messageId,
        sentAt: new Date(sentAt),
        expiresAt: new Date(expiresAt),
        error: null,
      });
      const felt = feeling(type);
      // Unhappy customers answer a little more often: they have something to say.
      const answers = random.chance(ANSWER_RATE[type] + (felt < -0.8 ? 0.08 : 0));
      const answeredAt =
        sentAt + Math.min(random.exponential(4 * HOUR), expiresAt - sentAt - MINUTE) + 1_000;
      if (!answers || answeredAt > end) {
        if (expiresAt <= end) counts.expired++;
        else counts.open++;
        continue;
      }
      const value = score(type, felt);
      const place = standing(type, value);
      const comments = followUp && random.chance(place < 0.5 ? 0.7 : 0.45);
      const comment = !comments
        ? undefined
        : place >= 0.75
          ? random.pick(GOOD_COMMENTS)
          : place >= 0.5
            ? random.pick(MIXED_COMMENTS)
            : random.pick(BAD_COMMENTS);
      inbound(psid, answeredAt, {
        messaging_feedback: {
          feedback_screens: [
            {
              screen_id: 0,
              questions: {
                [template.questionId]: {
                  type,
                  payload: String(value),
                  ...(comment !== undefined && {
                    follow_up: { type: 'free_form', payload: comment },
                  }),
                },
              },
            },
          ],
        },
      });
      counts.answered[type]++;
      if (comment !== undefined) counts.comments++;
    }
  }
  events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
  counts.events = events.length;
  return { surveys, events, counts };
}
