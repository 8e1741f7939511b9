import { HttpStatus } from '@nestjs/common';
import { AppError } from './app-error';
import { isStorableInstant } from './instant';

/**
 * What a keyset position is made of: an instant (a Date), a row id (a bigint, as a string), a
 * UUID, a text key such as a mid, or a small non-negative integer (a rank, as a string).
 */
export type CursorPart = 'instant' | 'id' | 'uuid' | 'text' | 'int';

type PartValue<P extends CursorPart> = P extends 'instant' ? Date : string;

/** The values of a position, one per part, in order. */
export type CursorPosition<P extends readonly CursorPart[]> = {
  -readonly [K in keyof P]: PartValue<P[K]>;
};

const MAX_BIGINT = 2n ** 63n - 1n;
const ROW_ID = /^[1-9]\d{0,18}$/;
const SMALL_INT = /^(0|[1-9]\d{0,8})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/**
 * As long as the longest id the service stores (events with longer ids are set aside, and path
 * parameters take 1 KiB), so the next page after any stored mid has a cursor; a cursor is opaque,
 * never a place for long text.
 */
const MAX_TEXT = 1024;

/** Whether `value` is a row id a bigint column holds (1 to 2^63 - 1, digits only). */
export function isRowId(value: unknown): value is string {
  return typeof value === 'string' && ROW_ID.test(value) && BigInt(value) <= MAX_BIGINT;
}

/** The value of one part read back from a cursor, or undefined when it is not one. */
function readPart(part: CursorPart, value: unknown): Date | string | undefined {
  if (typeof value !== 'string') return undefined;
  switch (part) {
    case 'instant': {
      const date = new Date(value);
      // Only what encode wrote: the exact ISO form, within what PostgreSQL and JavaScript share.
      return !Number.isNaN(date.getTime()) &&
        isStorableInstant(date) &&
        date.toISOString() === value
        ? date
        : undefined;
    }
    case 'id':
      return isRowId(value) ? value : undefined;
    case 'uuid':
      return UUID.test(value) ? value : undefined;
    case 'int':
      return SMALL_INT.test(value) ? value : undefined;
    case 'text':
      return value.length > 0 &&
        value.length <= MAX_TEXT &&
        !value.includes('\0') &&
        value.isWellFormed()
        ? value
        : undefined;
  }
}

/**
 * The one cursor codec of every list. A cursor is opaque to clients: base64url of the JSON array
 * of the last item's sort key. Decoding checks every part's type and range once, here, so that a
 * forged cursor is a 400 INVALID_CURSOR and never reaches the database (where an id beyond bigint
 * or a year PostgreSQL does not hold would be a 500).
 */
export class CursorCodec<const P extends readonly CursorPart[]> {
  constructor(private readonly parts: P) {}

  encode(position: CursorPosition<P>): string {
    const key = (position as (Date | string)[]).map((value) =>
      value instanceof Date ? value.toISOString() : value,
    );
    return Buffer.from(JSON.stringify(key)).toString('base64url');
  }

  /** The position of `cursor`; null without one; a 400 INVALID_CURSOR when it is not one. */
  decode(cursor: string | undefined): CursorPosition<P> | null {
    if (cursor === undefined) return null;
    let key: unknown;
    try {
      key = BASE64URL.test(cursor)
        ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
        : undefined;
    } catch {
      key = undefined;
    }
    if (Array.isArray(key) && key.length === this.parts.length) {
      const values = this.parts.map((part, i) => readPart(part, key[i]));
      if (values.every((value) => value !== undefined)) return values as CursorPosition<P>;
    }
    throw new AppError(HttpStatus.BAD_REQUEST, 'INVALID_CURSOR', 'cursor is not valid');
  }
}
