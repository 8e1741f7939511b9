/** JSON with prototype-poisoning keys refused, as Fastify's own parser does. */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJson((error as Error).message);
  }
  if (/"(?:__proto__|constructor)"\s*:/.test(text)) assertNoPoison(value);
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
