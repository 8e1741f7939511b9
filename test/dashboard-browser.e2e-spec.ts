import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { FakeGraphApi } from './fake-graph-api';
import {
  conversationFactory,
  feedbackDelivery,
  responseFeedbackDelivery,
} from './messenger-factories';
import { startSurveyApp } from './surveys-fixtures';
import { API_TOKEN, eventually, readJson, TestApp } from './test-app';

/** Debian's chromium (CI installs it with apt); playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'dashboard');
const DAY = 86_400_000;

const PAGE = '5550001';
const f = conversationFactory({
  page: PAGE,
  start: Date.now() - 2 * 3_600_000,
  userPrefix: '55501',
});

describe('the dashboard in a real browser', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Requests the browser tried to send off this machine (each one is refused and fails the spec). */
  const offMachine: string[] = [];
  const unhappy = f.newUser();
  const happy = f.newUser();
  let deadEventId = '';

  const screenshot = async (name: string): Promise<void> => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ t, fake, close } = await startSurveyApp({ MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-page-token' }));
    const image = `${fake.url}/image.png`;

    // The conversation, through the real webhook: the customer writes (with a photo), the Page
    // answers, the customer replies to that answer and reacts to it, the Page's answer is
    // delivered and read, and the customer rates it "Good response".
    await f.send(t, [
      f.inbound(unhappy, 0, { message: { mid: 'm_in_1', text: 'My order never arrived' } }),
      f.inbound(unhappy, 5, {
        message: { mid: 'm_in_photo', attachments: [{ type: 'image', payload: { url: image } }] },
      }),
      f.echo(unhappy, 60, 'm_out_1', { text: 'Sorry! It ships today.' }),
      f.inbound(unhappy, 90, {
        message: { mid: 'm_in_2', text: 'Still nothing', reply_to: { mid: 'm_out_1' } },
      }),
      f.inbound(unhappy, 95, {
        reaction: { mid: 'm_out_1', action: 'react', reaction: 'angry', emoji: '😡' },
      }),
      f.inbound(unhappy, 100, { delivery: { mids: ['m_out_1'], watermark: f.at(61) } }),
      f.inbound(unhappy, 101, { read: { watermark: f.at(62) } }),
      f.inbound(unhappy, 30, {
        message_edit: { mid: 'm_in_1', text: 'My order #42 never arrived', num_edit: 1 },
      }),
      f.inbound(unhappy, 40, {
        message: {
          mid: 'm_in_file',
          attachments: [{ type: 'file', payload: { url: `${fake.url}/receipt.pdf` } }],
        },
      }),
      f.inbound(happy, 0, { message: { mid: 'm_happy_1', text: 'Thanks!' } }),
    ]);
    expect(
      (
        await t.deliver(
          responseFeedbackDelivery({
            pageId: PAGE,
            userId: unhappy,
            mid: 'm_out_1',
            feedback: 'Good response',
            timestamp: f.at(110),
          }),
        )
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const res = await t.api(`/api/conversations/${PAGE}/${unhappy}/messages`);
      const body = await readJson(res);
      expect(body.items).toHaveLength(5);
      expect(body.items[0].edits).toHaveLength(1);
      expect(body.items[3].readAt).not.toBeNull();
      expect(body.items[3].reactions).toHaveLength(1);
      expect(body.items[3].responseFeedback).toBe('good');
    });

    // A CSAT survey sent through the API (to the fake Graph API), answered 1 with a comment;
    // another customer answered 5 twenty days ago (in the last 30 days, not the last 7).
    const sent = await t.api('/api/surveys', {
      method: 'POST',
      json: { recipientId: unhappy, pageId: PAGE, type: 'csat', followUp: true },
    });
    expect(sent.status).toBe(201);
    for (const [userId, score, text, at] of [
      [unhappy, '1', 'Nobody told me where my parcel was', Date.now() - 60_000],
      [happy, '5', 'Quick and kind', Date.now() - 20 * DAY],
    ] as const) {
      const res = await t.deliver(
        feedbackDelivery({
          pageId: PAGE,
          userId,
          timestamp: at,
          questions: { csat: { type: 'csat', payload: score, followUp: text } },
        }),
      );
      expect(res.status).toBe(200);
    }
    await eventually(async () => {
      const body = await readJson(await t.api(`/api/scores/comments?pageId=${PAGE}`));
      expect(body.items).toHaveLength(2);
    });

    // An event that can never be processed (no time at all): dead at once, for Operations.
    const dead = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          messaging: [
            { sender: { id: happy }, recipient: { id: PAGE }, message: { mid: 'm_timeless' } },
          ],
        },
      ],
    };
    expect((await t.deliver(dead)).status).toBe(200);
    deadEventId = await eventually(async () => {
      const body = await readJson(await t.api('/api/webhook-events?status=dead'));
      expect(body.items).toHaveLength(1);
      return body.items[0].id as string;
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route('**/*', async (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') await route.continue();
      else {
        offMachine.push(route.request().url());
        await route.abort();
      }
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  afterEach(() => {
    expect(offMachine).toEqual([]);
  });

  const cardText = (name: string) => page.getByTestId(`card-${name}`).textContent();

  it('logs in with the keyboard alone and shows the overview with the numbers of GET /api/scores', async () => {
    await page.goto(`${t.baseUrl}/`);
    await page.getByLabel('API token').waitFor();
    // The login field has the focus: type the token and press Enter, no pointer.
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await page.getByText('That is not the API token.').waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(API_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const storage = await page.evaluate<string>('JSON.stringify(localStorage) + document.cookie');
    expect(storage).not.toContain(API_TOKEN);
    expect(storage).not.toContain('mf_session'); // HttpOnly: out of the page's reach

    const to = Math.ceil(Date.now() / DAY) * DAY;
    const range = `from=${new Date(to - 30 * DAY).toISOString()}&to=${new Date(to).toISOString()}`;
    const scores = await readJson(await t.api(`/api/scores?${range}`));
    expect(scores.csat.score).toBe(50);
    expect(await cardText('csat')).toBe(`${scores.csat.score}%`);
    expect(await cardText('response-rate')).toBe(`${scores.surveys.responseRate * 100}%`);
    expect(await cardText('good-responses')).toBe('100%');
    await page.getByText('CSAT trend as a table').waitFor();
    await screenshot('overview');
  });

  it('keeps the period in the URL, and the cards follow it', async () => {
    await page.getByLabel('Period').selectOption('7');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/#\/overview\?.*period=7/);
    await eventually(async () => expect(await cardText('csat')).toBe('0%'));
    // The URL alone brings the same view back (it can be shared).
    await page.goto(`${t.baseUrl}/#/overview?period=30&pageId=${PAGE}`);
    await eventually(async () => expect(await cardText('csat')).toBe('50%'));
    // A Page with nothing on record: the view says what to do instead of showing zeros.
    await page.goto(`${t.baseUrl}/#/overview?period=30&pageId=999000`);
    await page.getByText('No answers in this period.').waitFor();
    expect(await page.locator('main').textContent()).toContain('npm run demo');
  });

  it('lists the answers lowest first and opens the lowest one on its conversation', async () => {
    await page.goto(`${t.baseUrl}/#/answers`);
    await page.getByLabel('Order').selectOption('lowest');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/sort=lowest/);
    const first = page.locator('table.answers tbody tr').first();
    await eventually(async () => expect(await first.locator('td.score').textContent()).toBe('1'));
    expect(await first.textContent()).toContain('Nobody told me where my parcel was');
    expect(await page.locator('main').textContent()).not.toMatch(/null|undefined/);
    await screenshot('answers');
    await first.getByRole('link', { name: /Open the conversation/ }).click();
    await page.waitForURL(new RegExp(`#/conversations/${PAGE}/${unhappy}$`));

    await page.getByRole('heading', { name: `Conversation with ${unhappy}` }).waitFor();
    const messages = page.getByTestId('message');
    await eventually(async () => expect(await messages.count()).toBe(5));
    expect(await messages.nth(0).textContent()).toContain('My order #42 never arrived');
    expect(await messages.nth(0).textContent()).toContain('edited 1×');
    expect(await messages.nth(2).getByRole('link').getAttribute('href')).toBe(
      `${fake.url}/receipt.pdf`,
    );
    const answer = messages.nth(3);
    expect(await answer.getAttribute('class')).toContain('out');
    expect(await answer.textContent()).toContain('Sorry! It ships today.');
    expect(await answer.textContent()).toContain('😡');
    expect(await answer.textContent()).toContain('Read');
    expect(await answer.textContent()).toContain('Good response');
    expect(await messages.nth(4).locator('blockquote').textContent()).toBe(
      'Sorry! It ships today.',
    );
    expect(await messages.nth(1).locator('img').getAttribute('src')).toBe(`${fake.url}/image.png`);
    const survey = page.getByTestId('survey');
    expect(await survey.textContent()).toContain('Score 1');
    expect(await survey.textContent()).toContain('Nobody told me where my parcel was');
    expect(await page.locator('main').textContent()).not.toMatch(/null|undefined/);
    await screenshot('conversation');
  });

  it('lists the surveys and shows validation errors next to their fields', async () => {
    await page.goto(`${t.baseUrl}/#/surveys`);
    await page.getByRole('heading', { name: 'Send a survey' }).waitFor();
    expect(await page.locator('table').first().textContent()).toContain('responded');
    await page.getByLabel('Customer (PSID)').fill(happy);
    await page.getByLabel('Title (≤ 65)').fill('x'.repeat(70));
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('#s-title-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/title/);
    await screenshot('surveys');
  });

  it('retries a dead event from Operations, and refuses the same retry posted from another origin', async () => {
    await page.goto(`${t.baseUrl}/#/operations`);
    await page.getByTestId('health').waitFor();
    expect(await page.getByTestId('health').textContent()).toBe('Service ok, database up');
    const row = page.locator('tr', { hasText: 'dead' });
    await row.first().waitFor();
    await screenshot('operations');

    // Every retry sets the event's next attempt afresh (now + a lease): the mark that one ran.
    const eventRow = () =>
      t.prisma.webhookEvent.findUniqueOrThrow({ where: { id: BigInt(deadEventId) } });
    const before = await eventRow();
    expect(before.status).toBe('dead');

    // A page of another origin (the fake Graph API's port: same site, so even SameSite=Strict
    // sends the cookie) posts the retry with the session cookie: the CSRF check refuses it.
    // What the service answered it, seen on its HTTP server beside Fastify (the page cannot read
    // a cross-origin answer).
    const answered: Array<{ cookie: boolean; status: number }> = [];
    const server: Server = t.app.getHttpServer();
    const observe = (req: IncomingMessage, res: ServerResponse): void => {
      if (req.url?.endsWith('/retry')) {
        res.on('finish', () =>
          answered.push({
            cookie: /mf_session=/.test(req.headers.cookie ?? ''),
            status: res.statusCode,
          }),
        );
      }
    };
    server.on('request', observe);
    const other = await context.newPage();
    await other.goto(`${fake.url}/`);
    const sent = await other.evaluate(
      async ([base, id]) => {
        await fetch(`${base}/api/webhook-events/${id}/retry`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
        });
        return true;
      },
      [t.baseUrl, deadEventId],
    );
    expect(sent).toBe(true);
    await other.close();
    await eventually(() => expect(answered).toEqual([{ cookie: true, status: 403 }]));
    server.off('request', observe);
    const untouched = await eventRow();
    expect(untouched.nextAttemptAt).toEqual(before.nextAttemptAt);
    expect(untouched.status).toBe('dead');

    await page.getByRole('button', { name: `Retry event ${deadEventId}` }).click();
    await page.getByText('queued again').waitFor();
    const retried = await eventRow();
    expect(retried.nextAttemptAt.getTime()).toBeGreaterThan(before.nextAttemptAt.getTime());
  });

  it('has no horizontal scroll at 360 px on any view', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    for (const hash of [
      '#/overview',
      '#/answers',
      `#/conversations/${PAGE}/${unhappy}`,
      '#/surveys',
      '#/operations',
    ]) {
      await page.goto(`${t.baseUrl}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.locator('main:not([aria-busy])').waitFor();
      const widths = await page.evaluate<number[]>(
        '[document.documentElement.scrollWidth, window.innerWidth]',
      );
      expect({ hash, scrollWidth: widths[0] }).toEqual({ hash, scrollWidth: widths[1] });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logs out, and the old session is refused by the server', async () => {
    await page.goto(`${t.baseUrl}/#/overview`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await t.prisma.dashboardSession.count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch('/api/scores')).status);
    expect(status).toBe(401);
    await screenshot('login');
  });
});
