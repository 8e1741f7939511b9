import { permanentReason } from '../webhook/inbox/event-processor.service';
import { parseDelivery } from '../webhook/intake/messenger-event.parser';
import { assertProcessable, MAX_ID_BYTES, PermanentEventError } from './permanent-event.error';
import type { AnyMessengerEvent } from './messenger-events';

const PAGE = '111111111111111';
const USER = '2222222222222222';

function message(mid: string, userId = USER): AnyMessengerEvent {
  const [event] = parseDelivery({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: 1_700_000_000_000,
        messaging: [{ sender: { id: userId }, recipient: { id: PAGE }, message: { mid } }],
      },
    ],
  });
  return event;
}

describe(assertProcessable.name, () => {
  it('does let an ordinary event through', () => {
    expect(() => assertProcessable(message('m_1'))).not.toThrow();
    expect(() => assertProcessable(message('m'.repeat(MAX_ID_BYTES)))).not.toThrow();
  });

  it.each([
    ['a mid over the limit', message('m'.repeat(MAX_ID_BYTES + 1)), 'the message id is longer'],
    ['a mid over the limit in bytes', message('é'.repeat(600)), 'the message id is longer'],
    ['a NUL in the mid', message('m\0'), 'the message id contains a NUL'],
    ['a NUL in the customer id', message('m_1', 'u\0'), 'the customer id contains a NUL'],
  ])('does refuse %s as permanent', (_name, event, reason) => {
    expect(() => assertProcessable(event)).toThrow(PermanentEventError);
    expect(() => assertProcessable(event)).toThrow(reason);
  });
});

describe(permanentReason.name, () => {
  it('does take the message of a PermanentEventError as the reason', () => {
    expect(permanentReason(new PermanentEventError('no customer'))).toBe('no customer');
  });

  it.each(['22021', '22P02', '22008', '54000'])(
    'does count PostgreSQL data error %s as permanent',
    (code) => {
      const error = Object.assign(new Error('refused'), { code });
      expect(permanentReason(error)).toBe(
        `the database refused the event's data (${code}): Error: refused`,
      );
    },
  );

  it.each([
    ['a connection ended by the server', Object.assign(new Error('x'), { code: '57P01' })],
    ['a serialization failure', Object.assign(new Error('x'), { code: '40001' })],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['a plain error', new Error('x')],
    ['a thrown string', 'x'],
    ['null', null],
  ])('does count %s as transient', (_name, error) => {
    expect(permanentReason(error)).toBeNull();
  });
});
