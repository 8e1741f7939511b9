/**
 * Where a body may hold a `__proto__` key: written plainly, or with one of its letters escaped
 * (`"\u005f_proto__"` is the same key to JSON.parse). Meta escapes only non-ASCII characters, so
 * an escaped `_`, `o`, `p`, `r` or `t` is rare enough to pay for the walk below, and the common
 * path stays one scan of the text by an expression that only stops at a quote or a backslash.
 */
const MAY_POISON = /"(?:__proto__|constructor)"\s*:|\\u00(?:5[fF]|6[fF]|7[024])/;

/** JSON with prototype-poisoning keys refused, as Fastify's own parser does. */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
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
