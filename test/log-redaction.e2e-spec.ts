import fs from 'node:fs';
import { API_TOKEN, APP_SECRET, startTestApp, TestApp, VERIFY_TOKEN } from './test-app';

const PAGE_TOKEN = 'EAAG-default-page-token-0001';
const OTHER_PAGE_TOKEN = 'EAAG-other-page-token-0002';
const SECRETS = [APP_SECRET, VERIFY_TOKEN, API_TOKEN, PAGE_TOKEN, OTHER_PAGE_TOKEN];

/** Every character percent-encoded: a spelling no plain-text search for the secret would find. */
const encodeAll = (text: string): string =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/**
 * The app's real logger (pino) writes to file descriptor 1 through sonic-boom; whatever reaches
 * that descriptor while a test runs is kept here, so the assertions read exactly the log lines.
 */
function captureStdout(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const keep = (data: unknown): void => {
    chunks.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  };
  const write = jest.spyOn(fs, 'write').mockImplementation((
    fd: number,
    data: unknown,
    ...rest: unknown[]
  ) => {
    if (fd === 1) keep(data);
    const callback = rest.at(-1);
    if (typeof callback === 'function') {
      const length = Buffer.byteLength(typeof data === 'string' ? data : (data as Buffer));
      process.nextTick(() => (callback as (e: null, n: number) => void)(null, length));
    }
  });
  const writeSync = jest.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown) => {
    if (fd === 1) keep(data);
    return Buffer.byteLength(typeof data === 'string' ? data : (data as Buffer));
  });
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((data: unknown) => {
    keep(data);
    return true;
  });
  return {
    text: () => chunks.join(''),
    restore: () => {
      write.mockRestore();
      writeSync.mockRestore();
      stdout.mockRestore();
    },
  };
}

describe('log redaction', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      LOG_LEVEL: 'debug',
      MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
      MESSENGER_PAGE_TOKENS: JSON.stringify({ PAGE_2: OTHER_PAGE_TOKEN }),
    });
  });
  afterAll(() => t.close());

  it('does keep every secret out of the log, however its parameter is spelt', async () => {
    // [request, the URL as it must appear in the log]
    const cases: [() => Promise<Response>, string][] = [
      [
        () =>
          t.api(`/webhook?hub.mode=subscribe&hub%2Everify_token=${VERIFY_TOKEN}&hub.challenge=c1`, {
            auth: false,
          }),
        '/webhook?hub.mode=subscribe&hub%2Everify_token=[Redacted]&hub.challenge=c1',
      ],
      [
        () =>
          t.api(`/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=c2`, {
            auth: false,
          }),
        '/webhook?hub.mode=subscribe&hub.verify_token=[Redacted]&hub.challenge=c2',
      ],
      [
        () =>
          t.api(`/webhook?hub.mode=subscribe&hub.verify%5Ftoken=wrong-guess&hub.challenge=c3`, {
            auth: false,
          }),
        '/webhook?hub.mode=subscribe&hub.verify%5Ftoken=[Redacted]&hub.challenge=c3',
      ],
      [
        () => t.api(`/api/webhook-events?access%5Ftoken=${PAGE_TOKEN}`),
        '/api/webhook-events?access%5Ftoken=[Redacted]',
      ],
      [
        () => t.api(`/api/webhook-events?api_token=${API_TOKEN}`, { auth: false }),
        '/api/webhook-events?api_token=[Redacted]',
      ],
      [
        () => t.api(`/api/webhook-events?appsecret_proof=0123abcd&limit=5`, { auth: false }),
        '/api/webhook-events?appsecret_proof=[Redacted]&limit=5',
      ],
      [
        () => t.api(`/api/webhook-events?note=x-${APP_SECRET}-y`, { auth: false }),
        '/api/webhook-events?note=[Redacted]',
      ],
      [
        () => t.api(`/api/webhook-events?q=${encodeAll(OTHER_PAGE_TOKEN)}`, { auth: false }),
        '/api/webhook-events?q=[Redacted]',
      ],
      [
        () =>
          fetch(`${t.baseUrl}/webhook?access_token=${PAGE_TOKEN}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
            body: '{}',
          }),
        '/webhook?access_token=[Redacted]',
      ],
    ];
    const capture = captureStdout();
    let log: string;
    try {
      for (const [request] of cases) await (await request()).arrayBuffer();
      // pino writes asynchronously: wait (bounded) until the last request's line is out.
      const deadline = Date.now() + 5_000;
      while (!capture.text().includes(cases.at(-1)![1]) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      log = capture.text();
    } finally {
      capture.restore();
    }
    for (const [, logged] of cases) expect(log).toContain(logged);
    for (const secret of SECRETS) {
      expect(log).not.toContain(secret);
      expect(log.toLowerCase()).not.toContain(encodeAll(secret));
    }
    expect(log).not.toContain('wrong-guess');
  });
});
