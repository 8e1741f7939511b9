import { AppError } from './app-error';
import { CursorCodec, isRowId } from './cursor';

const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The code `work` throws with, or 'accepted'. */
function outcome(work: () => unknown): string {
  try {
    work();
    return 'accepted';
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
}

describe(CursorCodec.name, () => {
  const time = new CursorCodec(['instant', 'id']);
  const message = new CursorCodec(['instant', 'text']);
  const survey = new CursorCodec(['instant', 'uuid']);
  const at = new Date(Date.UTC(2026, 10, 1, 9, 0, 0, 123));

  it('does read back what it wrote, to the millisecond', () => {
    expect(time.decode(time.encode([at, '42']))).toEqual([at, '42']);
    expect(message.decode(message.encode([at, 'm_1']))).toEqual([at, 'm_1']);
    const id = '0b7e1c7e-3c1e-4a57-9d35-2f1c4a3b5e6f';
    expect(survey.decode(survey.encode([at, id]))).toEqual([at, id]);
    expect(time.decode(undefined)).toBeNull();
  });

  it('does write the JSON array of the key, as the cursors clients already hold', () => {
    expect(time.encode([at, '42'])).toBe(forged(['2026-11-01T09:00:00.123Z', '42']));
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['not base64url', '%00'],
    ['another arity', forged(['2026-11-01T00:00:00.000Z'])],
    ['a time that is no time', forged(['not a time', '1'])],
    ['a time not written by encode', forged(['2026-11-01T00:00:00Z', '1'])],
    ['a number for a time', forged([1, '1'])],
    ['a year before 1', forged(['-271821-04-20T00:00:00.000Z', '1'])],
    ['year 0', forged(['0000-01-01T00:00:00.000Z', '1'])],
    ['a year beyond 9999', forged(['+275760-09-13T00:00:00.000Z', '1'])],
    ['an id beyond bigint', forged(['2026-11-01T00:00:00.000Z', '9223372036854775808'])],
    ['a negative id', forged(['2026-11-01T00:00:00.000Z', '-1'])],
    ['id 0', forged(['2026-11-01T00:00:00.000Z', '0'])],
    ['an id that is no number', forged(['2026-11-01T00:00:00.000Z', 'abc'])],
    ['a numeric id', forged(['2026-11-01T00:00:00.000Z', 42])],
  ])('does refuse %s with INVALID_CURSOR', (_name, cursor) => {
    expect(outcome(() => time.decode(cursor))).toBe('INVALID_CURSOR');
  });

  it('does refuse text keys PostgreSQL cannot hold and UUIDs that are not', () => {
    const iso = '2026-11-01T00:00:00.000Z';
    for (const key of ['', 'm_\u0000', '\ud800', 'x'.repeat(1025)]) {
      expect(outcome(() => message.decode(forged([iso, key])))).toBe('INVALID_CURSOR');
    }
    expect(outcome(() => survey.decode(forged([iso, 'not-a-uuid'])))).toBe('INVALID_CURSOR');
  });

  it('does read back small integers (ranks) and refuses what is not one', () => {
    const ranked = new CursorCodec(['int', 'instant', 'id']);
    const iso = '2026-11-01T00:00:00.000Z';
    expect(ranked.decode(ranked.encode(['0', at, '7']))).toEqual(['0', at, '7']);
    expect(ranked.decode(forged(['60', iso, '7']))).toEqual(['60', new Date(iso), '7']);
    for (const rank of ['-1', '01', '1.5', '1e3', '', '1234567890', 3]) {
      expect(outcome(() => ranked.decode(forged([rank, iso, '7'])))).toBe('INVALID_CURSOR');
    }
  });

  it('does hold the bigint range of row ids', () => {
    expect(isRowId('9223372036854775807')).toBe(true);
    expect(isRowId('9223372036854775808')).toBe(false);
    expect(isRowId('01')).toBe(false);
  });
});
