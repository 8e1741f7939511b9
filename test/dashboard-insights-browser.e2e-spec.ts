import { parse } from 'csv-parse/sync';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { API_TOKEN, eventually, readJson, startTestApp, TestApp } from './test-app';

/** Debian's chromium (CI installs it with apt); playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'dashboard');
const DAY = 86_400_000;
const SANDBOX_PAGE = '100000000000001';
/** Where the demo history's photo attachments say they are (src/sandbox/demo). */
const DEMO_CDN = 'https://cdn.example.com/demo/';
/** A demo history with answers of every type in each period and low comments (see the first spec). */
const DEMO_SEED = 2026;

/** The period filter's range, as the dashboard computes it: whole UTC days up to tomorrow. */
function lastDays(days: number): string {
  const to = Math.ceil(Date.now() / DAY) * DAY;
  return `from=${new Date(to - days * DAY).toISOString()}&to=${new Date(to).toISOString()}`;
}

/** A card's change line as the overview writes it from `delta`. */
function changeText(delta: number | null, unit: string): string {
  if (delta === null) return 'no previous period to compare';
  const sign = delta > 0 ? '+' : '';
  return `${sign}${delta.toLocaleString('en', { maximumFractionDigits: 2 })}${unit} vs previous period`;
}

interface BreakdownItem {
  key: string;
  label: string;
  responses: number;
  score: number | null;
}

describe('the dashboard on the sandbox: demo history, comparisons, breakdowns, Pages, export', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const offMachine: string[] = [];

  const screenshot = async (name: string, widths = [1280, 390]): Promise<void> => {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp({ MESSENGER_SANDBOX: 'true' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    await context.route('**/*', async (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') await route.continue();
      else {
        // The demo's photo attachments point at its made-up CDN, as a Page's point at Meta's: the
        // transcript shows them as images. Refused here like everything off the machine; anything
        // else (a script, a style, a call) fails the spec.
        const request = route.request();
        if (!(request.resourceType() === 'image' && request.url().startsWith(DEMO_CDN))) {
          offMachine.push(request.url());
        }
        await route.abort();
      }
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(offMachine).toEqual([]);
  });

  const cardText = (name: string) => page.getByTestId(`card-${name}`).textContent();

  it('offers the demo history on an empty overview, writes it with a cookie POST and shows its progress', async () => {
    await page.goto(`${t.baseUrl}/`);
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByText('No answers in this period.').waitFor();
    await screenshot('overview-empty-sandbox');
    // Small enough to be quick; the form is reached and sent with the keyboard.
    await page.getByLabel('Days').fill('20');
    await page.getByLabel('Customers').fill('40');
    // The form sends no seed, so the service picks one; the specs below read breakdowns by type
    // and low comments, which a small random history may lack: the request goes on with a seed
    // whose 20 days hold all of them.
    let sent: (request: { body: unknown; authorization?: string }) => void;
    const posted = new Promise<{ body: unknown; authorization?: string }>((resolve) => {
      sent = resolve;
    });
    await page.route('**/api/sandbox/demo', async (route) => {
      const request = route.request();
      if (request.method() !== 'POST') return route.continue();
      // What the page sent, read before the seed is added.
      const body = request.postDataJSON() as Record<string, unknown>;
      sent({ body, authorization: (await request.allHeaders()).authorization });
      await route.continue({ postData: { ...body, seed: DEMO_SEED } });
    });
    await page.getByRole('button', { name: 'Load demo history' }).focus();
    await page.keyboard.press('Enter');
    const request = await posted;
    expect(request.body).toEqual({ days: 20, customers: 40 });
    expect(request.authorization).toBeUndefined(); // the session cookie, no token
    await page.getByTestId('demo-status').waitFor();
    expect(await page.getByTestId('demo-status').textContent()).toMatch(/Writing the demo history/);
    // Done: the overview renders itself again, with the history in it.
    await page.getByTestId('card-csat').waitFor({ timeout: 180_000 });
    const status = await readJson(await t.api('/api/sandbox/demo'));
    expect(status).toMatchObject({
      status: 'done',
      request: { days: 20, customers: 40, seed: DEMO_SEED },
    });
  }, 240_000);

  it('shows each card with its change from one compare=previous call, per period', async () => {
    const scoreCalls: string[] = [];
    page.on('request', (request) => {
      const { pathname, search } = new URL(request.url());
      if (pathname === '/api/scores') scoreCalls.push(search);
    });
    await page.goto(`${t.baseUrl}/#/overview?period=7`);
    await page.getByTestId('card-csat').waitFor();
    await page.locator('main:not([aria-busy])').waitFor();
    expect(scoreCalls).toHaveLength(1);
    expect(scoreCalls[0]).toContain('compare=previous');

    const scores = await readJson(await t.api(`/api/scores?${lastDays(7)}&compare=previous`));
    expect(scores.csat.responses + scores.nps.responses + scores.ces.responses).toBeGreaterThan(0);
    for (const [name, type, unit] of [
      ['csat', 'csat', '%'],
      ['nps', 'nps', ''],
      ['ces', 'ces', '%'],
    ] as const) {
      const score = scores[type].score as number | null;
      const card = page.getByRole('region', { name: name.toUpperCase() });
      expect(await cardText(name)).toBe(
        score === null ? '—' : `${score.toLocaleString('en', { maximumFractionDigits: 2 })}${unit}`,
      );
      expect(await card.locator('.delta').textContent()).toBe(
        changeText(scores.delta[type], unit === '%' ? ' pts' : ''),
      );
    }
    const rate = scores.delta.responseRate as number | null;
    expect(
      await page.getByRole('region', { name: 'Response rate' }).locator('.delta').textContent(),
    ).toBe(changeText(rate === null ? null : Math.round(rate * 1e4) / 100, ' pts'));
    const feedback = await readJson(await t.api(`/api/response-feedback?${lastDays(7)}`));
    expect(await cardText('good-responses')).toBe(
      feedback.goodRate === null
        ? '—'
        : `${(feedback.goodRate * 100).toLocaleString('en', { maximumFractionDigits: 2 })}%`,
    );
  });

  it('breaks the score down by responder, rule and Page in tables, per type', async () => {
    await page.goto(`${t.baseUrl}/#/overview?period=30`);
    await page.getByRole('group', { name: 'Breakdown score type' }).waitFor();
    await page.getByRole('button', { name: 'NPS' }).click();
    await page.waitForURL(/breakdown=nps/);
    for (const by of ['responder', 'rule', 'page']) {
      const api = await readJson(
        await t.api(`/api/scores/breakdown?by=${by}&type=nps&${lastDays(30)}`),
      );
      expect(api.items.length).toBeGreaterThan(0);
      const table = page.getByTestId(`breakdown-${by}`);
      await eventually(async () =>
        expect(await table.locator('caption').textContent()).toContain('(NPS)'),
      );
      const rows: string[][] = [];
      for (const tr of await table.locator('tbody tr').all()) {
        rows.push((await tr.locator('th, td').allTextContents()).slice(0, 3));
      }
      const items = api.items as BreakdownItem[];
      expect(rows).toEqual(
        items.map((item) => [
          item.label || item.key,
          item.responses.toLocaleString('en'),
          item.score === null ? '—' : item.score.toLocaleString('en', { maximumFractionDigits: 2 }),
        ]),
      );
    }
    await screenshot('overview-demo', [360, 1280, 1920]);
  });

  it('offers the known Pages in a select (GET /api/pages, page by page)', async () => {
    const pages = await readJson(await t.api('/api/pages'));
    expect(pages).toEqual({
      items: [{ pageId: SANDBOX_PAGE, firstSeenAt: expect.any(String) }],
      nextCursor: null,
    });
    // Paging by id, and a forged cursor is a 400.
    await t.prisma.page.create({ data: { id: '200000000000002' } });
    const first = await readJson(await t.api('/api/pages?limit=1'));
    expect(first.items).toEqual([{ pageId: SANDBOX_PAGE, firstSeenAt: expect.any(String) }]);
    const second = await readJson(await t.api(`/api/pages?limit=1&cursor=${first.nextCursor}`));
    expect(second).toEqual({
      items: [{ pageId: '200000000000002', firstSeenAt: expect.any(String) }],
      nextCursor: null,
    });
    const forged = await t.api('/api/pages?cursor=bm90LWpzb24');
    expect([forged.status, (await readJson(forged)).code]).toEqual([400, 'INVALID_CURSOR']);
    expect((await t.api('/api/pages', { auth: false })).status).toBe(401);

    // A new load: the page asks for the Pages once per load.
    await page.goto(`${t.baseUrl}/#/overview`);
    await page.reload();
    const select = page.getByLabel('Page');
    await select.waitFor();
    expect(await select.evaluate((el: { tagName: string }) => el.tagName)).toBe('SELECT');
    expect(await select.locator('option').allTextContents()).toEqual([
      'All Pages',
      SANDBOX_PAGE,
      '200000000000002',
    ]);
    await select.selectOption(SANDBOX_PAGE);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`pageId=${SANDBOX_PAGE}`));
    await page.getByTestId('card-csat').waitFor();
  });

  /** A sandbox customer who writes, is surveyed and answers `score` with `comment`. */
  const answerLow = async (psid: string, type: string, score: number, comment: string) => {
    const post = (path: string, json: unknown) => t.api(path, { method: 'POST', json });
    expect(
      (await post(`/api/sandbox/customers/${psid}/messages`, { text: 'Still waiting' })).status,
    ).toBe(202);
    const survey = await readJson(
      await post('/api/surveys', {
        pageId: SANDBOX_PAGE,
        recipientId: psid,
        type,
        followUp: true,
        privacyUrl: 'https://shop.example.com/privacy',
      }),
    );
    expect(survey).toMatchObject({ status: 'sent' });
    const answered = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: survey.id,
      score,
      followUp: comment,
    });
    expect(answered.status).toBe(202);
  };

  it('lists low answers lowest first from the server and opens each on its conversation', async () => {
    // Two low answers of the spec's own besides the demo's: what the view must show is known.
    await answerLow('7100000000000001', 'csat', 2, 'Nobody told me the parcel was late');
    await answerLow('7100000000000002', 'nps', 1, 'Third time the order arrived broken');
    await page.goto(`${t.baseUrl}/#/answers?period=30&band=low&sort=lowest`);
    const rows = page.locator('table.answers tbody tr');
    await rows.first().waitFor();
    const api = await readJson(
      await t.api(`/api/scores/comments?${lastDays(30)}&band=low&order=lowest&limit=100`),
    );
    expect(api.items.length).toBeGreaterThan(0);
    expect(await rows.count()).toBe(api.items.length);
    const shown: string[][] = [];
    for (const tr of await rows.all()) {
      shown.push([
        (await tr.locator('.score').textContent()) ?? '',
        (await tr.locator('.comment').textContent()) ?? '',
      ]);
    }
    const items = api.items as { score: number; text: string }[];
    expect(shown).toEqual(items.map((item) => [String(item.score), item.text]));
    expect(await page.locator('main').textContent()).not.toMatch(/null|undefined/);
    await screenshot('answers-low', [360, 1280, 1920]);

    const lowest = api.items[0];
    await rows
      .first()
      .getByRole('link', { name: /Open the conversation/ })
      .click();
    await page.waitForURL(new RegExp(`#/conversations/${lowest.pageId}/${lowest.userId}$`));
    await page.getByRole('heading', { name: `Conversation with ${lowest.userId}` }).waitFor();
    await eventually(async () =>
      expect(await page.locator('main').textContent()).toContain(lowest.text),
    );
  });

  it('downloads the CSV export of the filters shown, with the session cookie', async () => {
    await page.goto(`${t.baseUrl}/#/answers?period=30&type=csat`);
    const link = page.getByTestId('export-csv');
    await link.waitFor();
    const href = (await link.getAttribute('href')) as string;
    expect(href).toMatch(/^\/api\/exports\/answers\?format=csv&type=csat&from=.*&to=/);

    const download = page.waitForEvent('download');
    await link.click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^answers-\d{8}-\d{8}\.csv$/);
    const path = await file.path();
    const rows = parse<Record<string, string>>(readFileSync(path), { bom: true, columns: true });
    const expected = parse<Record<string, string>>(await (await t.api(href)).text(), {
      bom: true,
      columns: true,
    });
    expect(rows).toEqual(expected);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(['csat']));

    // The same GET from the page: the cookie authenticates it, and the answer names the file.
    const headers = await page.evaluate(async (url) => {
      const res = await fetch(url);
      await res.text();
      return [res.status, res.headers.get('content-disposition')];
    }, href);
    expect(headers[0]).toBe(200);
    expect(headers[1]).toMatch(/^attachment; filename="answers-\d{8}-\d{8}\.csv"$/);
  });

  it('has no horizontal scroll from 360 to 1920 px on the filled views', async () => {
    for (const width of [360, 768, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      for (const hash of ['#/overview?period=30', '#/answers?period=30']) {
        await page.goto(`${t.baseUrl}/${hash}`);
        await page.locator('main h1').waitFor();
        await page.locator('main:not([aria-busy])').waitFor();
        const [scrollWidth, innerWidth] = await page.evaluate<number[]>(
          '[document.documentElement.scrollWidth, window.innerWidth]',
        );
        expect({ hash, width, scrollWidth }).toEqual({ hash, width, scrollWidth: innerWidth });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
