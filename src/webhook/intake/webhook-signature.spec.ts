import { createHmac } from 'node:crypto';
import { isValidSignature } from './webhook-signature';

const SECRET = 'app-secret-for-unit-tests';
const hex = (body: string | Buffer, secret = SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');

describe(isValidSignature.name, () => {
  const body = Buffer.from('{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}]}');
  const good = `sha256=${hex(body)}`;

  it('does accept the HMAC-SHA256 of the exact bytes with the app secret', () => {
    expect(isValidSignature(body, good, SECRET)).toBe(true);
  });

  it('does accept upper-case hex and surrounding spaces', () => {
    expect(isValidSignature(body, `sha256=${hex(body).toUpperCase()}`, SECRET)).toBe(true);
    expect(isValidSignature(body, ` ${good} `, SECRET)).toBe(true);
  });

  it('does accept an empty body signed as such', () => {
    expect(isValidSignature(Buffer.alloc(0), `sha256=${hex('')}`, SECRET)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the bare prefix', 'sha256='],
    ['no prefix', hex(body)],
    ['the sha1= prefix', `sha1=${hex(body)}`],
    ['another secret', `sha256=${hex(body, 'another-secret')}`],
    ['a truncated digest', good.slice(0, -1)],
    ['a digest one digit longer', `${good}0`],
    ['one hex digit flipped', good.slice(0, -1) + (good.endsWith('0') ? '1' : '0')],
    ['a digest that is not hex', `sha256=${'g'.repeat(64)}`],
    ['two signatures', `${good},${good}`],
    ['a SHA-1 length digest', `sha256=${'a'.repeat(40)}`],
  ])('does refuse %s', (_name, header) => {
    expect(isValidSignature(body, header, SECRET)).toBe(false);
  });

  it('does refuse the body with one byte changed', () => {
    const changed = Buffer.from(body);
    changed[10] ^= 0x01;
    expect(isValidSignature(changed, good, SECRET)).toBe(false);
  });

  it('does verify the escaped bytes Meta signs, not the same JSON written in UTF-8', () => {
    const escaped = Buffer.from('{"text":"caf\\u00e9 \\ud83d\\ude0d"}');
    const utf8 = Buffer.from(JSON.stringify(JSON.parse(escaped.toString())));
    expect(utf8.toString()).toBe('{"text":"café 😍"}');
    const header = `sha256=${hex(escaped)}`;
    expect(isValidSignature(escaped, header, SECRET)).toBe(true);
    expect(isValidSignature(utf8, header, SECRET)).toBe(false);
  });

  it('does never throw, whatever the header', () => {
    for (const header of [
      'sha256=' + 'ff'.repeat(1000),
      'sha256=\u0000',
      '\uD800',
      'sha256=' + 'é'.repeat(64),
    ]) {
      expect(isValidSignature(body, header, SECRET)).toBe(false);
    }
  });
});
