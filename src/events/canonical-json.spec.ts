import { canonicalJson, writeCanonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('does sort object keys at every level and keep array order', () => {
    const value = JSON.parse('{"b":{"z":1,"a":[3,{"y":true,"x":null}]},"a":"é\\n"}');
    expect(canonicalJson(value)).toBe('{"a":"é\\n","b":{"a":[3,{"x":null,"y":true}],"z":1}}');
  });

  it('does write what JSON.stringify writes for values JSON cannot hold', () => {
    const value = {
      u: undefined,
      f: () => 1,
      list: [undefined, Number.NaN, -0, 1e21],
      s: Symbol('s'),
    };
    expect(canonicalJson(value)).toBe(JSON.stringify({ list: [null, null, 0, 1e21] }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('does keep an own __proto__ key from JSON.parse as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"a":1}}'))).toBe('{"__proto__":{"a":1}}');
  });

  it('does write a cycle as null instead of looping', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(canonicalJson(cyclic)).toBe('{"a":1,"self":null}');
  });

  it('does write the same on both sides of the depth written recursively', () => {
    const sortedKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sortedKeys)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.keys(value)
                .sort()
                .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
            )
          : value;
    for (const depth of [62, 63, 64, 65, 300]) {
      let value: unknown = { z: 1, a: [true, null, 'é\n', 2.5] };
      for (let i = 0; i < depth; i++) {
        value = i % 2 === 0 ? { y: value, b: i } : [{ y: i, b: 'x' }, value];
      }
      expect(canonicalJson(value)).toBe(JSON.stringify(sortedKeys(value)));
    }
  });

  it('does write 100,000 levels of nesting in chunks without overflowing the stack', () => {
    const depth = 100_000;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const chunks: string[] = [];
    writeCanonicalJson(JSON.parse(text), (chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(text);
  });
});
