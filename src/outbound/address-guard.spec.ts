import { addressRange, checkUrl, RefusedAddressError } from './address-guard';

describe('addressRange', () => {
  it.each([
    ['8.8.8.8', 'unicast'],
    ['2606:4700::1111', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['239.1.1.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:192.168.1.1', 'private'],
    ['::ffff:8.8.8.8', 'unicast'],
  ])('%s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });
});

describe('checkUrl', () => {
  it('takes http and https, and https only when told', () => {
    expect(checkUrl('http://example.com/x', false).host).toBe('example.com');
    expect(() => checkUrl('http://example.com/x', true)).toThrow(RefusedAddressError);
    expect(checkUrl('https://example.com/x', true).protocol).toBe('https:');
  });

  it('refuses other schemes, relative URLs and credentials', () => {
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      '/hooks',
      'https://a:b@example.com/',
    ]) {
      expect(() => checkUrl(url, false)).toThrow(RefusedAddressError);
    }
  });
});
