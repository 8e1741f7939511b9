import { redactDelivery } from './delivery-redaction';

const event = (user: string, text: string) => ({
  sender: { id: user },
  recipient: { id: 'P' },
  timestamp: 1,
  message: { mid: `m-${user}`, text },
});

describe('redactDelivery', () => {
  it('drops the events naming the customer and keeps the others', () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [
        { id: 'P', time: 1, messaging: [event('111', 'mine'), event('222', 'theirs')] },
        { id: 'P', time: 2, messaging: [event('111', 'again')] },
      ],
    });
    const result = redactDelivery(body, JSON.stringify('111'));
    expect(result).not.toBeNull();
    expect(result!.eventCount).toBe(1);
    expect(result!.body).not.toContain('111');
    expect(result!.body).not.toContain('mine');
    expect(JSON.parse(result!.body)).toEqual({
      object: 'page',
      entry: [
        { id: 'P', time: 1, messaging: [event('222', 'theirs')] },
        { id: 'P', time: 2, messaging: [] },
      ],
    });
  });

  it('gives up on a body with nobody else left, one that is not JSON, or the id outside events', () => {
    const only = JSON.stringify({
      object: 'page',
      entry: [{ id: 'P', messaging: [event('111', 'x')] }],
    });
    expect(redactDelivery(only, '"111"')).toBeNull();
    expect(redactDelivery('{not json', '"111"')).toBeNull();
    const outside = JSON.stringify({
      object: 'page',
      note: '111',
      entry: [{ id: 'P', messaging: [event('222', 'y')] }],
    });
    expect(redactDelivery(outside, '"111"')).toBeNull();
  });
});
