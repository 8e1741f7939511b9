/**
 * Deeper than any body this service takes by far (Messenger payloads, survey templates). Deeper
 * bodies are hostile: the validation and PostgreSQL's jsonb recurse over them and would fail with
 * a 500 instead of a 400.
 */
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

/**
 * Where a body may hold a `__proto__` key: written plainly, or with one of its letters escaped
 * (`"\u005f_proto__"` is the same key to JSON.parse). Meta escapes only non-ASCII characters, so
 * an escaped `_`, `o`, `p`, `r` or `t` is rare enough to pay for the walk below, and the common
 * path stays one scan of the text by an expression that only stops at a quote or a backslash.
 */
const MAY_POISON = /"(?:__proto__|constructor)"\s*:|\\u00(?:5[fF]|6[fF]|7[024])/;

/**
 * JSON at most MAX_JSON_DEPTH levels deep (measured before parsing, so that nothing recurses over
 * a deeper body), with prototype-poisoning keys refused as Fastify's own parser does.
 */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw invalidJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJson((error as Error).message);
  }
  if (MAY_POISON.test(text)) assertNoPoison(value);
  return value;
}

function assertNoPoison(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) {
      throw invalidJson('Object contains forbidden prototype property');
    }
    for (const child of Object.values(node) as unknown[]) stack.push(child);
  }
}

/** A 400 the exception filter answers with code INVALID_JSON, as Fastify's own parser errors. */
function invalidJson(message: string): Error {
  return Object.assign(new SyntaxError(message), {
    statusCode: 400,
    code: 'FST_ERR_CTP_INVALID_JSON_BODY',
  });
}
