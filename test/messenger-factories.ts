import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './test-app';

/**
 * Every builder of Messenger webhook payloads the end-to-end specs use: Meta's own examples
 * (the fixture files), single events and deliveries, the per-file conversation factory, and the
 * survey answers and response feedback. Each builds on `delivery`, so a delivery has one shape.
 */

/** The seed examples (src/webhook/intake/fixtures/README.md says where each comes from). */
const FIXTURES = join(__dirname, '..', 'src', 'webhook', 'intake', 'fixtures');

export const fixtureNames = (): string[] =>
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort();

/** A fixture's exact bytes, as Meta would send them. */
export const fixtureBytes = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export const PAGE_ID = '1000000000000001';
export const USER_ID = '2000000000000001';

/** One customer → Page text message, as `entry[].messaging[]` holds it. */
export function textMessage(
  mid: string,
  text = `text of ${mid}`,
  { pageId = PAGE_ID, userId = USER_ID, timestamp = 1_763_700_000_000 } = {},
): Record<string, unknown> {
  return {
    sender: { id: userId },
    recipient: { id: pageId },
    timestamp,
    message: { mid, text },
  };
}

/** A `page` delivery of one entry holding `events` under `source`. */
export function delivery(
  events: unknown[],
  { pageId = PAGE_ID, source = 'messaging', time = 1_763_700_000_500 } = {},
): Record<string, unknown> {
  return { object: 'page', entry: [{ id: pageId, time, [source]: events }] };
}

/**
 * JSON as Meta writes it: every non-ASCII UTF-16 unit escaped (`é` → `\u00e9`, an emoji as its
 * surrogate pair `\ud83d\ude0d`), so the signature is over ASCII bytes only.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface FeedbackAnswerFixture {
  type: string;
  payload: string;
  followUp?: string;
}

/** A signed-delivery body with one messaging_feedback event (seed 002's shape). */
export function feedbackDelivery(input: {
  pageId: string;
  userId: string;
  timestamp?: number;
  questions: Record<string, FeedbackAnswerFixture>;
}): unknown {
  const questions = Object.fromEntries(
    Object.entries(input.questions).map(([id, answer]) => [
      id,
      {
        type: answer.type,
        payload: answer.payload,
        ...(answer.followUp !== undefined && {
          follow_up: { type: 'free_form', payload: answer.followUp },
        }),
      },
    ]),
  );
  return delivery(
    [
      {
        sender: { id: input.userId },
        recipient: { id: input.pageId },
        ...(input.timestamp !== undefined && { timestamp: input.timestamp }),
        messaging_feedback: { feedback_screens: [{ screen_id: 0, questions }] },
      },
    ],
    { pageId: input.pageId, time: input.timestamp ?? Date.now() },
  );
}

/** A signed-delivery body with one response_feedback event (seed 000's shape). */
export function responseFeedbackDelivery(input: {
  pageId: string;
  userId: string;
  mid: string;
  feedback: 'Good response' | 'Bad response';
  timestamp: number;
}): unknown {
  return delivery(
    [
      {
        sender: { id: input.userId },
        recipient: { id: input.pageId },
        timestamp: input.timestamp,
        response_feedback: { feedback: input.feedback, mid: input.mid },
      },
    ],
    { pageId: input.pageId, time: input.timestamp },
  );
}

/**
 * Builders of Messenger webhook payloads for one test file: its own Page, clock and customers, so
 * that files (and tests within them) never see each other's conversations.
 */
export interface ConversationFactory {
  page: string;
  /** Epoch ms `seconds` after the file's start time. */
  at(seconds: number): number;
  iso(seconds: number): string;
  /** A new customer PSID. */
  newUser(): string;
  /** A `page` delivery of one entry holding `events` under `source`. */
  delivery(events: unknown[], page?: string, source?: string): unknown;
  /** Delivers `events` to the app as one signed delivery, which must be acknowledged. */
  send(t: TestApp, events: unknown[], page?: string, source?: string): Promise<void>;
  /** An event from the customer to the Page with the given fields (`message`, `reaction`, …). */
  inbound(user: string, seconds: number, fields: Record<string, unknown>, page?: string): unknown;
  /** The Page's own message to the customer, as its echo arrives. */
  echo(
    user: string,
    seconds: number,
    mid: string,
    message?: Record<string, unknown>,
    page?: string,
  ): unknown;
}

export function conversationFactory(options: {
  page: string;
  start: number;
  userPrefix: string;
}): ConversationFactory {
  let users = 0;
  const at = (seconds: number): number => options.start + seconds * 1000;
  const pageDelivery: ConversationFactory['delivery'] = (
    events,
    pageId = options.page,
    source = 'messaging',
  ) => delivery(events, { pageId, source, time: Date.now() });
  return {
    page: options.page,
    at,
    iso: (seconds) => new Date(at(seconds)).toISOString(),
    newUser: () => `${options.userPrefix}${String(++users).padStart(5, '0')}`,
    delivery: pageDelivery,
    async send(t, events, page, source) {
      const res = await t.deliver(pageDelivery(events, page, source));
      expect(res.status).toBe(200);
    },
    inbound: (user, seconds, fields, page = options.page) => ({
      sender: { id: user },
      recipient: { id: page },
      timestamp: at(seconds),
      ...fields,
    }),
    echo: (user, seconds, mid, message = {}, page = options.page) => ({
      sender: { id: page },
      recipient: { id: user },
      timestamp: at(seconds),
      message: { mid, is_echo: true, app_id: 42, text: mid, ...message },
    }),
  };
}

/** A customer taps a postback button with `payload`. */
export function postbackDelivery(input: {
  pageId: string;
  userId: string;
  payload: string;
  mid: string;
  timestamp?: number;
}): unknown {
  const timestamp = input.timestamp ?? Date.now();
  return delivery(
    [
      {
        sender: { id: input.userId },
        recipient: { id: input.pageId },
        timestamp,
        postback: { title: 'Done', payload: input.payload, mid: input.mid },
      },
    ],
    { pageId: input.pageId, time: timestamp },
  );
}

/** An app passes thread control of a conversation (to the primary receiver: the agent is done). */
export function passThreadControlDelivery(input: {
  pageId: string;
  userId: string;
  newOwnerAppId?: string;
  previousOwnerAppId?: string;
  timestamp?: number;
}): unknown {
  const timestamp = input.timestamp ?? Date.now();
  return delivery(
    [
      {
        sender: { id: input.userId },
        recipient: { id: input.pageId },
        timestamp,
        pass_thread_control: {
          new_owner_app_id: input.newOwnerAppId ?? '263902037430900',
          previous_owner_app_id: input.previousOwnerAppId ?? '1517776481860111',
          metadata: 'agent done',
        },
      },
    ],
    { pageId: input.pageId, time: timestamp },
  );
}
