/** JSON with prototype-poisoning keys refused, as Fastify's own parser does. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  const value: unknown = JSON.parse(text);
  if (/"(?:__proto__|constructor)"\s*:/.test(text)) assertNoPoison(value);
  return value;
}

function assertNoPoison(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) {
      throw Object.assign(new SyntaxError('Object contains forbidden prototype property'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      });
    }
    stack.push(...(Object.values(node) as unknown[]));
  }
}
