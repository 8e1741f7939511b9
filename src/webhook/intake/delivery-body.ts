import { HttpStatus } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { jsonDepth, MAX_JSON_DEPTH, parseJson } from '../../common/json';

// One depth limit and measure for every JSON body the service parses.
export { jsonDepth, MAX_JSON_DEPTH };

/** Parses a signed delivery: 400 with a stable code when it is not JSON a Page could have sent. */
export function parseDeliveryBody(raw: Buffer): { text: string; body: unknown } {
  const text = raw.toString('utf8');
  try {
    // parseJson measures the depth before parsing: 10,000 levels are refused, not recursed into.
    return { text, body: parseJson(text) };
  } catch (error) {
    const tooDeep = jsonDepth(text) > MAX_JSON_DEPTH;
    throw new AppError(
      HttpStatus.BAD_REQUEST,
      'INVALID_JSON',
      tooDeep ? (error as Error).message : 'body is not valid JSON',
    );
  }
}

const NEEDS_CLEANING = /\\u(?:0000|d[89a-f])/i;

/**
 * jsonb refuses NUL characters and lone surrogates, which JSON allows. When the text may hold
 * either, strings are made well-formed (U+FFFD) so that a signed delivery is never refused by the
 * database and retried by Meta forever.
 */
export function jsonbSafe(value: unknown, text: string): unknown {
  return NEEDS_CLEANING.test(text) ? clean(value) : value;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed().replace(/\0/g, '\uFFFD');
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [clean(key) as string, clean(item)]),
    );
  }
  return value;
}
