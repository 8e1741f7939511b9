import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { parseJson } from '../common/json';

/** Deeper than any Messenger payload by far; deeper bodies are hostile, and PostgreSQL's jsonb would refuse them. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON text, counted without parsing (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return max;
}

/** Parses a signed delivery: 400 with a stable code when it is not JSON a Page could have sent. */
export function parseDeliveryBody(raw: Buffer): { text: string; body: unknown } {
  const text = raw.toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new AppError(
      HttpStatus.BAD_REQUEST,
      'INVALID_JSON',
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  try {
    return { text, body: parseJson(text) };
  } catch {
    throw new AppError(HttpStatus.BAD_REQUEST, 'INVALID_JSON', 'body is not valid JSON');
  }
}

const NEEDS_CLEANING = /\\u(?:0000|d[89a-f])/i;

/**
 * jsonb refuses NUL characters and lone surrogates, which JSON allows. When the text may hold
 * either, strings are made well-formed (U+FFFD) so that a signed delivery is never refused by the
 * database and retried by Meta forever.
 */
export function jsonbSafe(value: unknown, text: string): unknown {
  return jsonbSafeFor(text)(value);
}

/**
 * jsonbSafe for many values of one text (a delivery's events): the text is scanned once here, not
 * once per value, which made a delivery's cost grow with the square of its size.
 */
export function jsonbSafeFor(text: string): (value: unknown) => unknown {
  return NEEDS_CLEANING.test(text) ? clean : (value) => value;
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
