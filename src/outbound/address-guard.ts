import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** Why a URL or an address may not receive webhooks; the message is shown to the API client. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

/**
 * Whether an address is an ordinary public one. ipaddr.js names every special range (loopback,
 * private, link-local, unique-local, carrier-grade NAT, multicast, unspecified, reserved, 6to4,
 * Teredo, ...); only `unicast` is public. An IPv4-mapped IPv6 address is judged as the IPv4 address
 * it maps, so `::ffff:127.0.0.1` is loopback.
 */
export function addressRange(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range();
}

export function assertPublicAddress(address: string, hostname: string): void {
  const range = addressRange(address);
  if (range !== 'unicast') {
    const via = hostname === address ? '' : ` (${hostname} resolves to it)`;
    throw new RefusedAddressError(`${address} is a ${range} address${via}: not allowed`);
  }
}

/** The host of a URL as DNS and `isIP` take it: IPv6 literals without their brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The scheme rule: http or https, https only when `httpsOnly`; no credentials in the URL. */
export function checkUrl(raw: string, httpsOnly: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedAddressError('url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RefusedAddressError('url must be an http(s) URL');
  }
  if (httpsOnly && url.protocol !== 'https:') {
    throw new RefusedAddressError('url must be https in production');
  }
  if (url.username !== '' || url.password !== '') {
    throw new RefusedAddressError('url must not carry credentials');
  }
  return url;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that resolves the host and refuses it unless every address it
 * resolves to is public: the connection goes to the address checked here, so DNS cannot answer
 * differently between the check and the connect. The request keeps its hostname, so Host and TLS
 * SNI (and certificate checks) are unchanged.
 */
export function publicOnlyLookup(
  hostname: string,
  options: { family?: number | string; all?: boolean },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { all: true, family: Number(options.family ?? 0) || 0 }, (error, found) => {
    if (error) return callback(error, []);
    try {
      if (found.length === 0) throw new RefusedAddressError(`${hostname} resolves to no address`);
      for (const { address } of found) assertPublicAddress(address, hostname);
    } catch (refused) {
      return callback(refused as NodeJS.ErrnoException, []);
    }
    if (options.all) callback(null, found);
    else callback(null, found[0].address, found[0].family);
  });
}

/** Resolves a URL's host and refuses it when any of its addresses is not public (subscription checks). */
export async function assertResolvesPublic(url: URL): Promise<void> {
  const host = bareHost(url);
  if (isIP(host) !== 0) return assertPublicAddress(host, host);
  await new Promise<void>((resolve, reject) =>
    publicOnlyLookup(host, { all: true }, (error) => {
      if (error === null) return resolve();
      reject(
        error instanceof RefusedAddressError
          ? error
          : new RefusedAddressError(`${host} cannot be resolved (${error.code ?? error.message})`),
      );
    }),
  );
}
