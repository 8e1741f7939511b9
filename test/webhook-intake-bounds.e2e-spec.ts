import { connect, Socket } from 'node:net';
import { WEBHOOK_BODY_LIMIT, WebhookDeliveryRoute } from '../src/webhook/intake/webhook-delivery.route';
import { eventually, startTestApp, TestApp } from './test-app';
import { delivery, textMessage } from './messenger-factories';
import { eventsByMid } from './webhook-fixtures';

const MiB = 1024 * 1024;
const BUDGET = 24 * MiB;
// Long enough for 160 connections to send their part on a loaded two-core machine before the
// server starts cutting them (3 s was not, under a parallel build).
const REQUEST_TIMEOUT_MS = 8_000;
const HEADERS_TIMEOUT_MS = 1_000;
/** Connections that each declare a 16 MiB body, send 1 MiB of it and hold. */
const HOLDERS = 160;
const SENT = MiB;

interface RawRequest {
  socket: Socket;
  /** The first answer's status line and everything received, once the server closes. */
  closed: Promise<{ at: number; response: string }>;
}

/** A raw HTTP/1.1 request on its own connection: `head` then `body`, and the connection held. */
function rawRequest(port: number, head: string, body?: Buffer): RawRequest {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset is one way of being cut off
  let response = '';
  socket.on('data', (data: Buffer) => {
    response += data.toString('latin1');
  });
  const closed = new Promise<{ at: number; response: string }>((resolve) =>
    socket.on('close', () => resolve({ at: performance.now(), response })),
  );
  socket.write(head);
  if (body) socket.write(body);
  return { socket, closed };
}

const deliveryHead = (length: number): string =>
  'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  `Content-Length: ${length}\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`;

describe('POST /webhook under unauthenticated memory pressure', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_UNVERIFIED_BYTES_LIMIT: String(BUDGET),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    });
    port = Number(new URL(t.baseUrl).port);
  });
  afterAll(() => t.close());

  it('does bound the bytes of held unsigned bodies, refuse the excess, answer signed deliveries, and cut held connections', async () => {
    const inFlight = (): number => t.app.get(WebhookDeliveryRoute).unverified.inFlight;
    // Warm up the route, then measure from here.
    expect((await t.deliver(delivery([textMessage('m_bounds_warm')]))).status).toBe(200);
    const rssBefore = process.memoryUsage().rss;

    const part = Buffer.alloc(SENT, 0x20);
    part.write('{"object":"page","entry":[');
    const started = performance.now();
    const holders = Array.from({ length: HOLDERS }, () =>
      rawRequest(port, deliveryHead(WEBHOOK_BODY_LIMIT), part),
    );
    const refused: string[] = [];
    for (const holder of holders) {
      void holder.closed.then(({ response }) => {
        if (performance.now() - started < REQUEST_TIMEOUT_MS) refused.push(response);
      });
    }
    // Every connection is either refused (and closed by the server) or holding its whole part.
    await eventually(() => {
      expect(refused.length + inFlight() / SENT).toBe(HOLDERS);
    }, REQUEST_TIMEOUT_MS - 500);
    const rssGrowth = process.memoryUsage().rss - rssBefore;

    // At most three quarters of the budget go to large bodies; the rest was refused at once.
    const held = HOLDERS - refused.length;
    expect(held).toBeGreaterThan(0);
    expect(held * SENT).toBeLessThanOrEqual((BUDGET * 3) / 4);
    for (const response of refused) {
      expect(response).toMatch(/^HTTP\/1\.1 503 /);
      expect(response).toMatch(/\r\nretry-after: \d+\r\n/i);
      expect(response).toMatch(/"code":"INTAKE_BUSY"/);
    }
    // Unbounded, the process would hold every byte sent (160 MiB); bounded, the budget.
    expect(rssGrowth).toBeLessThan((HOLDERS * SENT) / 2);

    // A signed delivery is still answered, promptly, and stored.
    const signedAt = performance.now();
    const res = await t.deliver(delivery([textMessage('m_bounds_signed')]));
    expect(res.status).toBe(200);
    expect(performance.now() - signedAt).toBeLessThan(2_000);
    expect(await eventsByMid(t, ['m_bounds_signed'])).toHaveLength(1);

    // The held connections are cut once the request timeout has passed, and their bytes freed.
    const cut = await Promise.all(
      holders.map((holder) =>
        Promise.race([
          holder.closed,
          new Promise<null>((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 3, null)),
        ]),
      ),
    );
    for (const closed of cut) {
      expect(closed).not.toBeNull();
      expect(closed!.at - started).toBeLessThan(REQUEST_TIMEOUT_MS * 2);
    }
    // (The server sees each close a moment after the client does.)
    await eventually(() => expect(inFlight()).toBe(0), 2_000);
    for (const holder of holders) holder.socket.destroy();
  });

  it('does close a connection whose headers do not arrive within the headers timeout', async () => {
    const started = performance.now();
    const stalled = rawRequest(port, 'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closed = await Promise.race([
      stalled.closed,
      new Promise<null>((resolve) => setTimeout(resolve, HEADERS_TIMEOUT_MS * 4, null)),
    ]);
    stalled.socket.destroy();
    expect(closed).not.toBeNull();
    expect(closed!.at - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });

  it('does refuse a declared body over the limit at once, without reading it', async () => {
    const started = performance.now();
    const big = rawRequest(port, deliveryHead(WEBHOOK_BODY_LIMIT + 1), Buffer.from('{"a":'));
    const { at, response } = await big.closed;
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toMatch(/"code":"PAYLOAD_TOO_LARGE"/);
    expect(at - started).toBeLessThan(HEADERS_TIMEOUT_MS);
  });
});
