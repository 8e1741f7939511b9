import { messagingWindow } from './messaging-window';

const HOUR = 60 * 60 * 1000;
const now = new Date('2026-11-20T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

const RESPONSE = { messagingType: 'RESPONSE', tag: null };
const TAGGED = { messagingType: 'MESSAGE_TAG', tag: 'CUSTOMER_FEEDBACK' };
const OUTSIDE = { outside: true };

describe(messagingWindow.name, () => {
  it('sends a standard response right after the customer wrote', () => {
    expect(messagingWindow(ago(0), now)).toEqual(RESPONSE);
  });

  it('sends a standard response until just before 24 hours', () => {
    expect(messagingWindow(ago(24 * HOUR - 1), now)).toEqual(RESPONSE);
  });

  it('uses the tag at exactly 24 hours', () => {
    expect(messagingWindow(ago(24 * HOUR), now)).toEqual(TAGGED);
  });

  it('uses the tag in between 24 hours and 7 days', () => {
    expect(messagingWindow(ago(3 * 24 * HOUR), now)).toEqual(TAGGED);
  });

  it('uses the tag until just before 7 days', () => {
    expect(messagingWindow(ago(7 * 24 * HOUR - 1), now)).toEqual(TAGGED);
  });

  it('is outside the window at exactly 7 days and later', () => {
    expect(messagingWindow(ago(7 * 24 * HOUR), now)).toEqual(OUTSIDE);
    expect(messagingWindow(ago(30 * 24 * HOUR), now)).toEqual(OUTSIDE);
  });

  it('uses the tag when no message is on record', () => {
    expect(messagingWindow(null, now)).toEqual(TAGGED);
  });

  it('treats a last message in the future (clock skew) as just now', () => {
    expect(messagingWindow(new Date(now.getTime() + HOUR), now)).toEqual(RESPONSE);
  });

  it('throws on an invalid date', () => {
    expect(() => messagingWindow(new Date('nope'), now)).toThrow(RangeError);
  });
});
