import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { assertPublicAddress, bareHost, checkUrl, publicOnlyLookup } from './address-guard';

/** The most of a receiver's answer that is read (and kept in the deliveries log). */
const RESPONSE_BYTES = 1024;

export interface PostOutcome {
  /** The receiver's HTTP status; null when none came (refused, timed out, connection failed). */
  statusCode: number | null;
  /** Why the attempt failed; null for a 2xx. */
  error: string | null;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  /** Refuse hosts that resolve to non-public addresses (checked at connect time). */
  publicOnly: boolean;
  httpsOnly: boolean;
}

/**
 * One POST of a webhook: a 2xx within `timeoutMs` is success, anything else a failure with its
 * reason. The timeout covers everything (DNS, connect, TLS, headers, the first KiB of the body
 * that is read), redirects are never followed (a 3xx is a failure) and nothing but the body's
 * first KiB is read.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    // Set once the request is made; the timer destroys it.
    const current: { req?: ClientRequest } = {};
    const timer = setTimeout(() => {
      finish(null, `no answer within ${options.timeoutMs} ms`);
      current.req?.destroy();
    }, options.timeoutMs);
    const finish = (statusCode: number | null, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ statusCode, error, durationMs: elapsed() });
    };
    let url: URL;
    try {
      url = checkUrl(target, options.httpsOnly);
      // Node does not call `lookup` for an IP literal: such a host is checked here instead.
      const host = bareHost(url);
      if (options.publicOnly && isIP(host) !== 0) assertPublicAddress(host, host);
    } catch (error) {
      finish(null, `refused: ${(error as Error).message}`);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'messenger-feedback-webhooks/1',
      },
      // A fresh connection per attempt: nothing pooled outlives the address check.
      agent: false,
      ...(options.publicOnly ? { lookup: publicOnlyLookup } : {}),
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.name === 'RefusedAddressError' ? `refused: ${error.message}` : error.message;
      finish(null, reason || String(error.code ?? error));
    });
    current.req = req;
    req.on('response', (res: IncomingMessage) => readAnswer(req, res, finish));
    req.end(body);
  });
}

function readAnswer(
  req: { destroy(): void },
  res: IncomingMessage,
  finish: (statusCode: number | null, error: string | null) => void,
): void {
  const status = res.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  const done = (): void => {
    const text = Buffer.concat(chunks).subarray(0, RESPONSE_BYTES).toString('utf8');
    if (status >= 200 && status < 300) finish(status, null);
    else if (status >= 300 && status < 400) {
      finish(status, `redirect not followed (HTTP ${status} to ${res.headers.location ?? '?'})`);
    } else finish(status, `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim()}`}`);
    req.destroy();
  };
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BYTES) done();
  });
  res.on('end', done);
  res.on('error', done);
}
