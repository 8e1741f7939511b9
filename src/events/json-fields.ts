/**
 * Typed reads of untrusted JSON. Only own properties are read, so a JSON `__proto__` or
 * `constructor` key is plain data and nothing is ever looked up on Object.prototype; a field of the
 * wrong type reads as absent instead of throwing.
 */
import { JsonObject } from './messenger-event';

/** Why a payload could not be turned into its event's data; the event is then kept as unknown. */
export class Unreadable {
  constructor(readonly reason: string) {}
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function ownField(object: JsonObject | null, key: string): unknown {
  return object !== null && Object.hasOwn(object, key) ? object[key] : undefined;
}

export function stringField(object: JsonObject | null, key: string): string | null {
  const value = ownField(object, key);
  return typeof value === 'string' ? value : null;
}

export function numberField(object: JsonObject | null, key: string): number | null {
  const value = ownField(object, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function objectField(object: JsonObject | null, key: string): JsonObject | null {
  const value = ownField(object, key);
  return isJsonObject(value) ? value : null;
}

/** The objects of an array field; anything else in it is skipped (the raw event keeps it). */
export function objectsField(object: JsonObject | null, key: string): JsonObject[] {
  const value = ownField(object, key);
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

export function stringsField(object: JsonObject | null, key: string): string[] | null {
  const value = ownField(object, key);
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : null;
}

/** Ids are strings, but app, product, sticker and template ids are sometimes sent as numbers. */
export function idField(object: JsonObject | null, key: string): string | null {
  const value = ownField(object, key);
  if (typeof value === 'string') return value;
  return Number.isSafeInteger(value) ? String(value) : null;
}
