import type { TestApp } from './test-app';

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
  const delivery: ConversationFactory['delivery'] = (
    events,
    page = options.page,
    source = 'messaging',
  ) => ({
    object: 'page',
    entry: [{ id: page, time: Date.now(), [source]: events }],
  });
  return {
    page: options.page,
    at,
    iso: (seconds) => new Date(at(seconds)).toISOString(),
    newUser: () => `${options.userPrefix}${String(++users).padStart(5, '0')}`,
    delivery,
    async send(t, events, page, source) {
      const res = await t.deliver(delivery(events, page, source));
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
