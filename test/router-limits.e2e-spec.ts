import { connect } from 'node:net';
import { MAX_PARAM_LENGTH } from '../src/app';
import { conversationFactory } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';

const f = conversationFactory({
  page: '100000000000077',
  start: Date.UTC(2026, 10, 2, 9, 0, 0),
  userPrefix: '7700000000',
});

/** A Messenger-like mid (URL-safe characters only) of exactly `length` characters. */
const midOf = (length: number, seed: string): string =>
  `m_${seed}_${'AbC9-x_'.repeat(length)}`.slice(0, length);

describe("the router's own limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('path parameters up to 1 KiB', () => {
    it('stores a 1,000-character mid from a signed delivery and reads it back by its path', async () => {
      const user = f.newUser();
      const mid = midOf(1000, 'long');
      await f.send(t, [f.inbound(user, 1, { message: { mid, text: 'a long mid' } })]);
      const res = await eventually(async () => {
        const found = await t.api(`/api/messages/${mid}`);
        expect(found.status).toBe(200);
        return found;
      });
      expect(await readJson(res)).toMatchObject({ mid, text: 'a long mid', userId: user });
    });

    it('pages past a 1,000-character mid: its cursor is a valid one', async () => {
      const user = f.newUser();
      const mid = midOf(1000, 'page');
      await f.send(t, [
        f.inbound(user, 1, { message: { mid, text: 'first' } }),
        f.inbound(user, 2, { message: { mid: midOf(40, 'next'), text: 'second' } }),
      ]);
      const path = `/api/conversations/${f.page}/${user}/messages?limit=1`;
      const first = await eventually(async () => {
        const res = await t.api(path);
        const body = (await readJson(res)) as { items: { mid: string }[]; nextCursor: string };
        expect(body.items.map((item) => item.mid)).toEqual([mid]);
        expect(body.nextCursor).toEqual(expect.any(String));
        return body;
      });
      const second = await t.api(`${path}&cursor=${first.nextCursor}`);
      expect(second.status).toBe(200);
      expect(((await readJson(second)) as { items: { text: string }[] }).items).toMatchObject([
        { text: 'second' },
      ]);
    });

    it('takes a parameter of exactly the limit to the route', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH, 'edge')}`);
      expect(res.status).toBe(404);
      expect((await readJson(res)).code).toBe('NOT_FOUND');
    });

    it('answers a longer one 414 in the error shape', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH + 1, 'over')}`);
      expect(res.status).toBe(414);
      expect(await readJson(res)).toEqual({
        statusCode: 414,
        error: 'Uri Too Long',
        message: 'a path segment is too long',
        code: 'URI_TOO_LONG',
      });
    });

    it('answers a longer one 401 without the token, as any path it cannot match', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH + 1, 'over')}`, {
        auth: false,
      });
      expect(res.status).toBe(401);
      expect((await readJson(res)).code).toBe('UNAUTHORIZED');
    });
  });
});

/**
 * Writes `raw` on a new connection to the app and resolves with everything the app wrote back
 * before it closed the connection (the parser's refusals close it).
 */
function rawExchange(baseUrl: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('the connection stayed open 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer is fine: the server closes without reading the rest.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString()) : reject(error),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(raw);
  });
}

function parseResponse(raw: string): {
  status: number;
  headers: Record<string, string>;
  body: unknown;
} {
  const [head, body] = raw.split('\r\n\r\n', 2);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe("requests Node's HTTP parser refuses", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const longHeaders = Array.from({ length: 40 }, (_, i) => `x-filler-${i}: ${'v'.repeat(500)}`);

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a space inside the URL', 'GET /api/a b HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    [
      'a header without a colon',
      'GET /health HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'a URL over the header limit',
      `GET /api/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'URI_TOO_LONG',
    ],
    [
      'headers over the limit',
      `GET /health HTTP/1.1\r\nHost: x\r\n${longHeaders.join('\r\n')}\r\n\r\n`,
      431,
      'REQUEST_HEADER_FIELDS_TOO_LARGE',
    ],
  ])('answers %s in the error shape and closes', async (_name, raw, status, code) => {
    const response = parseResponse(await rawExchange(t.baseUrl, raw));
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers.connection).toBe('close');
    expect(response.body).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
      code,
    });
  });

  it('keeps serving afterwards', async () => {
    await rawExchange(t.baseUrl, 'GARBAGE\r\n\r\n');
    const res = await t.api('/health', { auth: false });
    expect(res.status).toBe(200);
  });
});
