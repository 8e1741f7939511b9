import { AppError } from '../common/app-error';
import { encodeCursor } from '../common/pagination';
import { decodeTimeCursor, encodeTimeCursor } from './time-cursor';

describe('decodeTimeCursor', () => {
  it('does read back what encodeTimeCursor wrote, to the millisecond', () => {
    const at = new Date(Date.UTC(2026, 10, 1, 9, 0, 0, 123));
    expect(decodeTimeCursor(encodeTimeCursor(at, 'm_1'))).toEqual({ at, key: 'm_1' });
    expect(decodeTimeCursor(encodeTimeCursor(at, '42'), true)).toEqual({ at, key: '42' });
    expect(decodeTimeCursor(undefined)).toBeNull();
  });

  it('does refuse cursors it did not make with INVALID_CURSOR', () => {
    for (const [cursor, idKey] of [
      ['garbage', false],
      [encodeCursor(['not a time', 'm_1']), false],
      [encodeCursor([1, 'm_1']), false],
      [encodeCursor(['2026-11-01T00:00:00.000Z', 'm_1']), true],
      [encodeCursor(['2026-11-01T00:00:00.000Z', '0']), true],
    ] as const) {
      try {
        decodeTimeCursor(cursor, idKey);
        throw new Error(`accepted ${cursor}`);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('INVALID_CURSOR');
      }
    }
  });
});
