import { EventKind, MESSENGER_EVENTS, MessengerEventInit, isEventKind } from './messenger-events';

const init: MessengerEventInit<never> = {
  context: { object: 'page', pageId: '1', source: 'messaging', entryTime: null },
  pageId: '1',
  userId: '2',
  timestamp: 0,
  raw: {},
  key: 'k',
  data: undefined as never,
};

describe('MESSENGER_EVENTS', () => {
  const entries = Object.entries(MESSENGER_EVENTS) as Array<
    [EventKind, (typeof MESSENGER_EVENTS)[EventKind]]
  >;

  it('does build, for every kind, an event of that kind named after its class', () => {
    for (const [kind, EventClass] of entries) {
      const event = new EventClass(init);
      expect(event.kind).toBe(kind);
      expect(event.name).toBe(EventClass.eventName);
      expect(event).toMatchObject({ pageId: '1', userId: '2', timestamp: 0, raw: {} });
    }
  });

  it('does give every kind its own dotted messenger.* name', () => {
    const names = entries.map(([, EventClass]) => EventClass.eventName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^messenger\.[a-z_]+\.[a-z_]+$/);
    expect(MESSENGER_EVENTS.reaction.eventName).toBe('messenger.reaction.received');
  });
});

describe('isEventKind', () => {
  it('does accept the kinds of the map and nothing else', () => {
    expect(isEventKind('handover')).toBe(true);
    expect(isEventKind('pass_thread_control')).toBe(false);
    expect(isEventKind('constructor')).toBe(false);
    expect(isEventKind('__proto__')).toBe(false);
  });
});
