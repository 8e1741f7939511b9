/**
 * Canonical JSON: object keys sorted at every level, so that two JSON texts that differ only in key
 * order or whitespace serialise identically (the basis of event dedupe keys).
 */
import { JsonObject } from './messenger-event';

interface Frame {
  readonly source: object;
  readonly keys: readonly string[] | null;
  readonly length: number;
  index: number;
}

/** Nesting to which values are written by the quick recursive path; deeper ones, iteratively. */
const QUICK_DEPTH = 64;

/**
 * JSON with object keys sorted at every level, written in chunks. Values JSON cannot hold follow
 * JSON.stringify; a cycle is written as null. Every event's dedupe key goes through here, so values
 * no deeper than QUICK_DEPTH (all a Page sends) are written recursively in one string; deeper ones
 * iteratively, since a 10 MiB body can nest millions deep and recursion (JSON.stringify included)
 * overflows the stack at a few thousand.
 */
export function writeCanonicalJson(value: unknown, write: (chunk: string) => void): void {
  const quick = quickCanonicalJson(value, 0);
  if (quick !== null) {
    write(quick);
    return;
  }
  const stack: Frame[] = [];
  const onPath = new Set<object>();
  let buffer = '';
  const emit = (chunk: string): void => {
    buffer += chunk;
    if (buffer.length >= 65_536) {
      write(buffer);
      buffer = '';
    }
  };
  const open = (next: unknown): void => {
    if (typeof next !== 'object' || next === null || onPath.has(next)) {
      emit(scalarJson(next));
    } else if (Array.isArray(next)) {
      onPath.add(next);
      stack.push({ source: next, keys: null, length: next.length, index: 0 });
      emit('[');
    } else {
      const record = next as JsonObject;
      const keys = Object.keys(record)
        .filter((key) => isJsonValue(record[key]))
        .sort();
      onPath.add(next);
      stack.push({ source: next, keys, length: keys.length, index: 0 });
      emit('{');
    }
  };

  open(value);
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    if (frame.index === frame.length) {
      emit(frame.keys === null ? ']' : '}');
      onPath.delete(frame.source);
      stack.pop();
      continue;
    }
    if (frame.index > 0) emit(',');
    const index = frame.index++;
    if (frame.keys === null) {
      open((frame.source as unknown[])[index]);
    } else {
      const key = frame.keys[index];
      emit(`${JSON.stringify(key)}:`);
      open((frame.source as JsonObject)[key]);
    }
  }
  if (buffer !== '') write(buffer);
}

/** The canonical JSON of `value`, or null when it nests deeper than QUICK_DEPTH (or has a cycle). */
function quickCanonicalJson(value: unknown, depth: number): string | null {
  if (typeof value !== 'object' || value === null) return scalarJson(value);
  if (depth === QUICK_DEPTH) return null;
  let json: string;
  if (Array.isArray(value)) {
    json = '[';
    for (let i = 0; i < value.length; i++) {
      const item = quickCanonicalJson(value[i], depth + 1);
      if (item === null) return null;
      json += i === 0 ? item : `,${item}`;
    }
    return `${json}]`;
  }
  const record = value as JsonObject;
  json = '{';
  for (const key of Object.keys(record).sort()) {
    if (!isJsonValue(record[key])) continue;
    const item = quickCanonicalJson(record[key], depth + 1);
    if (item === null) return null;
    json += `${json.length === 1 ? '' : ','}${JSON.stringify(key)}:${item}`;
  }
  return `${json}}`;
}

function isJsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function scalarJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  return 'null';
}

/** The canonical JSON of a value as one string (fine for small values; hash large ones in chunks). */
export function canonicalJson(value: unknown): string {
  let json = '';
  writeCanonicalJson(value, (chunk) => {
    json += chunk;
  });
  return json;
}
