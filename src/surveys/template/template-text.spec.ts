import { containsUrl, countCharacters, truncateCharacters } from './template-text';

describe(countCharacters.name, () => {
  it('counts plain text by characters', () => {
    expect(countCharacters('')).toBe(0);
    expect(countCharacters('Rate us')).toBe(7);
  });

  it('counts an emoji outside the BMP as one character', () => {
    expect('😀'.length).toBe(2);
    expect(countCharacters('😀')).toBe(1);
    expect(countCharacters('Great 👍')).toBe(7);
  });

  it('counts accented letters as one character each', () => {
    expect(countCharacters('Café Zoë')).toBe(8);
  });
});

describe(truncateCharacters.name, () => {
  it('does not cut an emoji in half', () => {
    expect(truncateCharacters('a😀b', 2)).toBe('a😀');
  });

  it('keeps text shorter than the maximum', () => {
    expect(truncateCharacters('abc', 10)).toBe('abc');
  });
});

describe(containsUrl.name, () => {
  it.each([
    'see http://example.com',
    'see https://example.com/path?q=1',
    'HTTPS://EXAMPLE.COM',
    'ftp://files',
    'visit www.example.com today',
    'www.shop',
    'example.com',
    'Go to example.com.',
    'Example.COM rocks',
    'foo.co.uk',
    'shop at foo.co.uk/deals',
    't.me/x',
    'join t.me/ourchannel',
    'my-shop.store',
    'sub.domain.example.org',
    '(example.io)',
    'mail support@example.com',
    'foo_bar.com',
    'at 192.168.0.1',
    '...example.com',
    'магазин.рф',
  ])('finds a link in %j', (text) => {
    expect(containsUrl(text)).toBe(true);
  });

  it.each([
    '',
    'Rate us. Thanks',
    'Rate us.  Thanks!',
    'v1.5',
    'Version 2.0 is here',
    '3.5 stars',
    'We got 1.5kg of feedback',
    'e.g. delivery, i.e. speed',
    'U.S. customers',
    'Thanks a lot...really',
    'How was it? Tell us!',
    'Rate your experience with Original Coast Clothing',
    'Price: 9.99 EUR',
    '10:30 a.m.',
  ])('finds no link in %j', (text) => {
    expect(containsUrl(text)).toBe(false);
  });

  it('stays fast on long input without separators', () => {
    const started = Date.now();
    expect(containsUrl('a'.repeat(200_000))).toBe(false);
    expect(containsUrl('a.'.repeat(100_000))).toBe(false);
    expect(containsUrl('.-'.repeat(100_000) + 'a')).toBe(false);
    expect(containsUrl('1.'.repeat(100_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
