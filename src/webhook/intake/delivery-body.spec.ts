import { AppError } from '../../common/app-error';
import { jsonbSafe, jsonDepth, MAX_JSON_DEPTH, parseDeliveryBody } from './delivery-body';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** The AppError `work` throws, for its status and code. */
function thrown(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('delivery-body', () => {
  describe(jsonDepth.name, () => {
    it.each([
      ['', 0],
      ['1', 0],
      ['"text"', 0],
      ['{}', 1],
      ['[]', 1],
      ['[[]]', 2],
      ['{"a":[{"b":1}],"c":{}}', 3],
      ['[1],[2],[3]', 1],
    ])('does measure %j as %d levels', (text, depth) => {
      expect(jsonDepth(text)).toBe(depth);
    });

    it('does not count brackets inside strings', () => {
      expect(jsonDepth('"[[[[{{{{"')).toBe(0);
      expect(jsonDepth('{"a[":"]}{["}')).toBe(1);
    });

    it('does follow escapes inside strings', () => {
      // An escaped quote does not end the string; an escaped backslash does not escape the quote.
      expect(jsonDepth('["\\"[[[["]')).toBe(1);
      expect(jsonDepth('["\\\\",[[1]]]')).toBe(3);
      expect(jsonDepth('["\\u005b[",{}]')).toBe(2);
    });

    it('does measure deep text without recursion', () => {
      expect(jsonDepth(nested(100_000))).toBe(100_000);
    });
  });

  describe(parseDeliveryBody.name, () => {
    it('does parse JSON from its bytes and keep the text', () => {
      const raw = Buffer.from('{"object":"page","entry":[{"text":"café"}]}');
      expect(parseDeliveryBody(raw)).toEqual({
        text: '{"object":"page","entry":[{"text":"café"}]}',
        body: { object: 'page', entry: [{ text: 'café' }] },
      });
    });

    it('does accept any JSON value, not only objects', () => {
      for (const text of ['null', '[]', '"str"', '42', 'true']) {
        expect(parseDeliveryBody(Buffer.from(text)).body).toEqual(JSON.parse(text));
      }
    });

    it(`does accept ${MAX_JSON_DEPTH} levels of nesting and refuse one more`, () => {
      expect(parseDeliveryBody(Buffer.from(nested(MAX_JSON_DEPTH))).text).toHaveLength(
        2 * MAX_JSON_DEPTH,
      );
      const error = thrown(() => parseDeliveryBody(Buffer.from(nested(MAX_JSON_DEPTH + 1))));
      expect(error).toMatchObject({ status: 400, code: 'INVALID_JSON' });
    });

    it('does refuse 10,000 levels of nesting before parsing them', () => {
      expect(thrown(() => parseDeliveryBody(Buffer.from(nested(10_000))))).toMatchObject({
        status: 400,
        code: 'INVALID_JSON',
      });
    });

    it.each([
      ['an empty body', ''],
      ['whitespace', '  \n'],
      ['truncated JSON', '{"object":"page","entry":['],
      ['two values', '{} {}'],
      ['a byte order mark', '\ufeff{}'],
      ['a __proto__ key', '{"entry":[{"__proto__":{"polluted":true}}]}'],
    ])('does refuse %s with 400 INVALID_JSON', (_name, text) => {
      expect(thrown(() => parseDeliveryBody(Buffer.from(text)))).toMatchObject({
        status: 400,
        code: 'INVALID_JSON',
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('does keep a constructor key as plain data', () => {
      const { body } = parseDeliveryBody(Buffer.from('{"constructor":{"prototype":{"x":1}}}'));
      expect(body).toEqual({ constructor: { prototype: { x: 1 } } });
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });
  });

  describe(jsonbSafe.name, () => {
    const safe = (text: string) => jsonbSafe(JSON.parse(text), text);

    it('does return the value itself when the text holds nothing jsonb refuses', () => {
      const text = '{"a":["é 😍",1,null,true]}';
      const value: unknown = JSON.parse(text);
      expect(jsonbSafe(value, text)).toBe(value);
    });

    it('does replace NUL characters and lone surrogates with U+FFFD', () => {
      expect(safe('{"a":"x\\u0000y","b":["\\ud800","\\udc00z","\\uDBFF"]}')).toEqual({
        a: 'x\uFFFDy',
        b: ['\uFFFD', '\uFFFDz', '\uFFFD'],
      });
    });

    it('does keep well-formed surrogate pairs, as Meta escapes emoji', () => {
      expect(safe('{"text":"\\ud83d\\ude0d \\u0000"}')).toEqual({ text: '😍 \uFFFD' });
    });

    it('does clean keys and nested values, and leave other values alone', () => {
      expect(safe('{"k\\u0000":{"deep":[["\\ud800"]]},"n":1.5,"t":true,"z":null}')).toEqual({
        'k\uFFFD': { deep: [['\uFFFD']] },
        n: 1.5,
        t: true,
        z: null,
      });
    });

    it('does leave text that only looks like an escape', () => {
      // `\\u0000` in JSON is a backslash followed by "u0000": no NUL at all.
      expect(safe('{"a":"\\\\u0000"}')).toEqual({ a: '\\u0000' });
    });

    it('does always give strings that are well-formed and free of NUL', () => {
      const text = '["\\u0000\\ud800\\udbff\\udfff\\ud83d\\ude0d", {"\\udc00": "\\u0000\\u0000"}]';
      const strings = JSON.stringify(safe(text));
      expect(strings.isWellFormed()).toBe(true);
      expect(JSON.stringify(safe(text))).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    });
  });
});
