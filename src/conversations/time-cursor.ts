import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { decodeCursor, encodeCursor } from '../common/pagination';

/** A keyset position: a time and the key that breaks ties (a mid, or a row id). */
export interface TimeCursor {
  at: Date;
  key: string;
}

const ROW_ID = /^[1-9]\d{0,18}$/;

export function encodeTimeCursor(at: Date, key: string): string {
  return encodeCursor([at.toISOString(), key]);
}

/** The position of `cursor`; `idKey` requires the tie-breaker to be a row id. */
export function decodeTimeCursor(cursor: string | undefined, idKey = false): TimeCursor | null {
  const parts = decodeCursor(cursor, 2);
  if (parts === null) return null;
  const [at, key] = parts;
  if (typeof at === 'string' && typeof key === 'string' && (!idKey || ROW_ID.test(key))) {
    const date = new Date(at);
    if (!Number.isNaN(date.getTime())) return { at: date, key };
  }
  throw new AppError(HttpStatus.BAD_REQUEST, 'INVALID_CURSOR', 'cursor is not valid');
}
