/**
 * A stored delivery body without the events that name one customer, for erasure: every item of an
 * entry's event arrays (`messaging`, `standby`, `changes`, ...) whose JSON holds `needle` (the
 * customer's id as a JSON string) is dropped. Returns the new body and its event count, or null
 * when the body cannot be kept: not JSON, nothing of anyone else left, or the id still somewhere
 * outside an event. The new body is no longer what Meta signed: it is kept for reading only.
 */
export function redactDelivery(
  body: string,
  needle: string,
): { body: string; eventCount: number } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entries = (parsed as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return null;
  let eventCount = 0;
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    for (const [field, value] of Object.entries(record)) {
      if (!Array.isArray(value)) continue;
      const kept = value.filter((item) => !JSON.stringify(item).includes(needle));
      record[field] = kept;
      eventCount += kept.length;
    }
  }
  const rewritten = JSON.stringify(parsed);
  if (eventCount === 0 || rewritten.includes(needle)) return null;
  return { body: rewritten, eventCount };
}
