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

/**
 * JSON with object keys sorted at every level, written in chunks. Iterative: a 10 MiB body can
 * nest millions deep, and recursion (JSON.stringify included) overflows the stack at a few
 * thousand. Values JSON cannot hold follow JSON.stringify; a cycle is written as null.
 */
export function writeCanonicalJson(value: unknown, write: (chunk: string) => void): void {
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
