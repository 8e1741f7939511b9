import { OUTBOX_CUSTOMERS, OUTBOX_MESSAGES_PER_CUSTOMER, SandboxOutbox } from './sandbox-outbox';

const sent = (mid: string) => ({
  mid,
  sentAt: new Date(0),
  messagingType: 'RESPONSE',
  tag: null,
  message: { text: mid },
});

describe(SandboxOutbox.name, () => {
  it('keeps each customer’s messages oldest first, the newest ones when there are too many', () => {
    const outbox = new SandboxOutbox();
    for (let i = 0; i < OUTBOX_MESSAGES_PER_CUSTOMER + 5; i++) outbox.record('a', sent(`m${i}`));
    const kept = outbox.messagesTo('a');
    expect(kept).toHaveLength(OUTBOX_MESSAGES_PER_CUSTOMER);
    expect(kept[0].mid).toBe('m5');
    expect(kept[kept.length - 1].mid).toBe(`m${OUTBOX_MESSAGES_PER_CUSTOMER + 4}`);
    expect(outbox.find('a', 'm4')).toBeNull();
    expect(outbox.find('a', 'm5')?.mid).toBe('m5');
  });

  it('forgets the customer written to least recently when there are too many', () => {
    const outbox = new SandboxOutbox();
    for (let i = 0; i < OUTBOX_CUSTOMERS; i++) outbox.record(`c${i}`, sent(`m${i}`));
    outbox.record('c0', sent('again'));
    outbox.record('new', sent('new'));
    expect(outbox.messagesTo('c0')).toHaveLength(2);
    expect(outbox.messagesTo('c1')).toEqual([]);
    expect(outbox.messagesTo('new')).toHaveLength(1);
  });
});
