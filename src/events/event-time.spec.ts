import { MessageDeliveredEvent, MessageReadEvent, MessageReceivedEvent } from './messenger-events';
import type { MessengerEventInit } from './messenger-event';
import { PermanentEventError } from './permanent-event.error';

const envelope = {
  context: { object: 'page', pageId: '1', source: 'messaging' as const, entryTime: null },
  pageId: '1',
  userId: '2',
  raw: {},
  key: 'k',
};

function init<TData>(timestamp: number, data: TData): MessengerEventInit<TData> {
  return { ...envelope, timestamp, data };
}

const message = (timestamp: number) =>
  new MessageReceivedEvent(init(timestamp, {} as MessageReceivedEvent['data']));

describe('occurredAt', () => {
  it("does take the event's time", () => {
    expect(message(1_000).occurredAt()).toEqual(new Date(1_000));
  });

  it('does refuse an event with no time, or one a date cannot hold, as permanent', () => {
    // 0 is the parser's "no plausible time".
    expect(() => message(0).occurredAt()).toThrow(PermanentEventError);
    expect(() => message(9e15).occurredAt()).toThrow(/out of range/);
  });

  it('does time a receipt by its watermark when it carried no time of its own', () => {
    const delivered = (timestamp: number) =>
      new MessageDeliveredEvent(init(timestamp, { mids: null, watermark: 1_500 }));
    const read = (timestamp: number) => new MessageReadEvent(init(timestamp, { watermark: 1_500 }));
    expect(delivered(2_000).occurredAt()).toEqual(new Date(2_000));
    expect(delivered(0).occurredAt()).toEqual(new Date(1_500));
    expect(read(2_000).occurredAt()).toEqual(new Date(2_000));
    expect(read(0).occurredAt()).toEqual(new Date(1_500));
    const never = new MessageReadEvent(init(0, { watermark: 0 }));
    expect(() => never.occurredAt()).toThrow(PermanentEventError);
  });
});
