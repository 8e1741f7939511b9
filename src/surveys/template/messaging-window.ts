const HOUR_MS = 60 * 60 * 1000;
/** Meta's standard messaging window after the customer's last message. */
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
/** How long after the customer's last message the CUSTOMER_FEEDBACK tag may be used. */
export const CUSTOMER_FEEDBACK_TAG_WINDOW_MS = 7 * 24 * HOUR_MS;

export type MessagingWindow =
  | { messagingType: 'RESPONSE'; tag: null }
  | { messagingType: 'MESSAGE_TAG'; tag: 'CUSTOMER_FEEDBACK' }
  | { outside: true };

/**
 * How a survey may be sent, from the time of the customer's last message.
 * Windows are half-open: [0, 24 h) is a standard response, [24 h, 7 d) needs the tag, 7 d and
 * later is outside. At the exact instant a window ends it counts as closed, because the request
 * reaches Meta a little later and Meta measures with its own clock.
 * With no message on record (null) the tag is used and the Graph API decides. A last message
 * "in the future" (clock skew) counts as just now.
 */
export function messagingWindow(lastInboundAt: Date | null, now: Date): MessagingWindow {
  if (lastInboundAt === null) return { messagingType: 'MESSAGE_TAG', tag: 'CUSTOMER_FEEDBACK' };
  const elapsed = now.getTime() - lastInboundAt.getTime();
  if (Number.isNaN(elapsed)) throw new RangeError('messagingWindow needs valid dates');
  if (elapsed < STANDARD_WINDOW_MS) return { messagingType: 'RESPONSE', tag: null };
  if (elapsed < CUSTOMER_FEEDBACK_TAG_WINDOW_MS) {
    return { messagingType: 'MESSAGE_TAG', tag: 'CUSTOMER_FEEDBACK' };
  }
  return { outside: true };
}
