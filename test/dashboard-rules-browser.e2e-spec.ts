import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { FakeGraphApi } from './fake-graph-api';
import { postbackDelivery } from './messenger-factories';
import { HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { API_TOKEN, eventually, readJson, TestApp } from './test-app';

/** Debian's chromium (CI installs it with apt); playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'dashboard');

const PAGE = '5660001';
const CUSTOMER = '5660101';
const PAYLOAD = 'ORDER_RESOLVED';

interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  pageIds: string[] | null;
  trigger: Record<string, unknown>;
  survey: Record<string, unknown>;
  throttle: { perCustomerDays: number } | null;
  sampleRate: number;
  quietHours: Record<string, string> | null;
  useFeedbackTag: boolean;
}

interface Decision {
  id: string;
  userId: string;
  pageId: string;
  outcome: string;
  reason: string | null;
}

/** The reasons in words, as the rules view writes them (src/dashboard/public/views/rules.js). */
const REASON_WORDS: Record<string, string> = {
  open_survey: 'The customer still had an unanswered survey',
};

describe('the dashboard’s rules view in a real browser', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Requests the browser tried to send off this machine (each one is refused and fails the spec). */
  const offMachine: string[] = [];
  let ruleId = '';
  let mid = 0;

  const screenshot = async (name: string): Promise<void> => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  const rules = async (): Promise<Rule[]> =>
    ((await readJson(await t.api('/api/survey-rules?limit=500'))) as { items: Rule[] }).items;
  const rule = async (): Promise<Rule> =>
    (await readJson(await t.api(`/api/survey-rules/${ruleId}`))) as Rule;
  const decisions = async (query = ''): Promise<Decision[]> =>
    (
      (await readJson(await t.api(`/api/survey-rules/${ruleId}/decisions${query}`))) as {
        items: Decision[];
      }
    ).items;
  const postback = async (): Promise<void> => {
    const res = await t.deliver(
      postbackDelivery({ pageId: PAGE, userId: CUSTOMER, payload: PAYLOAD, mid: `m_pb_${++mid}` }),
    );
    expect(res.status).toBe(200);
  };
  /** The rows of a table in the view, each as the texts of its cells. */
  const cells = async (selector: string): Promise<string[][]> => {
    const rows = await page.locator(`${selector} tbody tr`).all();
    return Promise.all(
      rows.map(async (row) =>
        (await row.locator('td').allTextContents()).map((text) => text.trim()),
      ),
    );
  };
  const settled = () => page.locator('main:not([aria-busy])').waitFor();
  /** Opens a view and waits for what only that view shows (a hash change keeps the old one up until then). */
  const open = async (hash: string, shown: string): Promise<void> => {
    await page.goto(`${t.baseUrl}/${hash}`);
    await page.locator(shown).first().waitFor();
    await settled();
  };

  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ t, fake, close } = await startSurveyApp({ MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-page-token' }));
    // The customer wrote an hour ago: inside the 24-hour window.
    await seedConversation(t.prisma, PAGE, CUSTOMER, new Date(Date.now() - HOUR));

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
    await page.goto(`${t.baseUrl}/#/rules`);
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  afterEach(() => {
    expect(offMachine).toEqual([]);
  });

  it('says what a rule does when there is none, from the navigation link', async () => {
    await page.goto(`${t.baseUrl}/#/overview`);
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.waitForURL(/#\/rules$/);
    await page.getByText('No rules yet.').waitFor();
    expect(await page.locator('main').textContent()).toContain('sends a survey by itself');
    expect(await page.getByRole('link', { name: 'Rules' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await screenshot('rules-empty');
  });

  it('creates a rule through the form: an error next to its field first, nothing stored, then fixed', async () => {
    await page.getByLabel('Name', { exact: true }).fill('CSAT when resolved');
    // The idle trigger's parameter is shown first; the postback's once the trigger is chosen.
    expect(await page.getByLabel('Minutes of quiet').isVisible()).toBe(true);
    await page.getByLabel('Trigger').selectOption('postback');
    expect(await page.getByLabel('Minutes of quiet').isVisible()).toBe(false);
    await page.getByLabel('Pages').fill(PAGE);
    await page.getByLabel('Ask for a comment').check();
    await page.getByLabel('Throttle (days)').fill('400');
    await page.getByRole('button', { name: 'Create the rule' }).click();

    // The payload is missing and 400 days too many: each message next to its field.
    const payloadError = page.locator('#r-payload-error');
    await payloadError.waitFor();
    expect(await payloadError.textContent()).toMatch(/^trigger\.payload /);
    expect(await page.locator('#r-throttleDays-error').textContent()).toMatch(
      /^throttle\.perCustomerDays /,
    );
    expect(await page.getByLabel('Postback payload').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#r-name-error').isVisible()).toBe(false);
    expect(await rules()).toEqual([]);
    await screenshot('rules-form-errors');

    await page.getByLabel('Postback payload').fill(PAYLOAD);
    await page.getByLabel('Throttle (days)').fill('7');
    await page.getByRole('button', { name: 'Create the rule' }).click();
    await page.getByRole('heading', { name: 'CSAT when resolved', level: 1 }).waitFor();
    const [created] = await rules();
    ruleId = created.id;
    expect(page.url()).toContain(`#/rules/${ruleId}`);
    expect(created).toMatchObject({
      name: 'CSAT when resolved',
      enabled: true,
      pageIds: [PAGE],
      trigger: { type: 'postback', payload: PAYLOAD },
      survey: { type: 'csat', followUp: true },
      throttle: { perCustomerDays: 7 },
      sampleRate: 1,
      quietHours: null,
      useFeedbackTag: true,
    });
  });

  it('lists the rule as the API has it, and pauses and resumes it', async () => {
    await open('#/rules', 'table.rules');
    const [listed] = await rules();
    expect(await cells('table.rules')).toEqual([
      [
        listed.name,
        `Postback “${PAYLOAD}”`,
        PAGE,
        'CSAT',
        'Active',
        expect.stringContaining('Pause'),
      ],
    ]);
    await screenshot('rules-list');

    await page.getByRole('button', { name: 'Pause rule CSAT when resolved' }).click();
    await page.getByRole('button', { name: 'Resume rule CSAT when resolved' }).waitFor();
    expect((await rule()).enabled).toBe(false);
    // The focus stays on the rule's button, now "Resume".
    await eventually(async () =>
      expect(
        await page.evaluate<string>('document.activeElement?.getAttribute("aria-label")'),
      ).toBe('Resume rule CSAT when resolved'),
    );
    expect((await cells('table.rules'))[0][4]).toBe('Paused');
    await page.getByRole('button', { name: 'Resume rule CSAT when resolved' }).click();
    await page.getByRole('button', { name: 'Pause rule CSAT when resolved' }).waitFor();
    expect((await rule()).enabled).toBe(true);
    expect((await cells('table.rules'))[0][4]).toBe('Active');
  });

  it('edits the rule: the form is filled in, a bad value is named, the saved rule is the API’s', async () => {
    await page.getByRole('link', { name: 'Edit rule CSAT when resolved' }).click();
    await page.getByRole('heading', { name: 'Edit “CSAT when resolved”' }).waitFor();
    expect(await page.getByLabel('Postback payload').inputValue()).toBe(PAYLOAD);
    expect(await page.getByLabel('Throttle (days)').inputValue()).toBe('7');
    expect(await page.getByLabel('Ask for a comment').isChecked()).toBe(true);

    await page.getByLabel('Name', { exact: true }).fill('CSAT after a fix');
    await page.getByLabel('Title (≤ 65)').fill('Was this fixed?');
    await page.getByLabel('Sample rate').fill('1.5');
    await page.getByLabel('Quiet hours from').fill('22:00');
    await page.getByLabel('Quiet hours to').fill('07:00');
    await page.getByLabel('Quiet hours time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.locator('#r-timeZone-error').waitFor();
    expect(await page.locator('#r-timeZone-error').textContent()).toMatch(/^quietHours\.timeZone /);
    expect(await page.locator('#r-sampleRate-error').textContent()).toMatch(/^sampleRate /);
    expect((await rule()).name).toBe('CSAT when resolved');

    await page.getByLabel('Sample rate').fill('1');
    // Quiet hours of one minute, well away from now: the rule still fires in this spec.
    const away = new Date(Date.now() + 12 * HOUR).toISOString().slice(11, 16);
    const after = new Date(Date.now() + 12 * HOUR + 60_000).toISOString().slice(11, 16);
    await page.getByLabel('Quiet hours from').fill(away);
    await page.getByLabel('Quiet hours to').fill(after);
    await page.getByLabel('Quiet hours time zone').fill('UTC');
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.getByRole('heading', { name: 'CSAT after a fix', level: 1 }).waitFor();
    const saved = await rule();
    expect(saved).toMatchObject({
      name: 'CSAT after a fix',
      survey: { type: 'csat', title: 'Was this fixed?', followUp: true },
      quietHours: { from: away, to: after, timeZone: 'UTC' },
      sampleRate: 1,
      throttle: { perCustomerDays: 7 },
    });
    const summary = await page.locator('.rule-summary').textContent();
    expect(summary).toContain(`${away}–${after} (UTC)`);
    expect(summary).toContain('7 days per customer');
  });

  it('fires on a postback and lists its decisions with outcome and reason, filtered by outcome', async () => {
    await page.getByText('No decisions yet.').waitFor();
    // The first postback sends the survey; the second finds it unanswered and skips.
    await postback();
    await eventually(async () => expect((await decisions())[0]?.outcome).toBe('sent'));
    expect(fake.sent).toHaveLength(1);
    await postback();
    await eventually(async () => expect(await decisions()).toHaveLength(2));
    const all = await decisions();
    expect(all.map((d) => [d.outcome, d.reason])).toEqual([
      ['skipped', 'open_survey'],
      ['sent', null],
    ]);

    await page.reload();
    await page.locator('table.decisions').waitFor();
    await settled();
    const shown = await cells('table.decisions');
    expect(shown.map((row) => [row[1], row[2], row[3], row[4]])).toEqual(
      all.map((d) => [d.userId, d.pageId, d.outcome, d.reason ? REASON_WORDS[d.reason] : '—']),
    );
    const reasonCells = await page.locator('table.decisions td.reason').all();
    expect(await Promise.all(reasonCells.map((td) => td.getAttribute('data-reason')))).toEqual(
      all.map((d) => d.reason ?? ''),
    );
    await screenshot('rules-decisions');

    await page.getByLabel('Outcome').selectOption('skipped');
    await page.waitForURL(/outcome=skipped/);
    await eventually(async () => expect(await cells('table.decisions')).toHaveLength(1));
    const skipped = await decisions('?outcome=skipped');
    expect((await cells('table.decisions'))[0][3]).toBe(skipped[0].outcome);
    await page.getByLabel('Outcome').selectOption('failed');
    await page.getByText('No failed decisions.').waitFor();
  });

  it('has no horizontal scroll from 360 to 1920 px on the rules views', async () => {
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [hash, shown] of [
        ['#/rules', 'table.rules'],
        [`#/rules/${ruleId}`, '.rule-summary'],
        [`#/rules/${ruleId}/edit`, 'form.rule-form h1'],
      ]) {
        await open(hash, shown);
        const widths = await page.evaluate<number[]>(
          '[document.documentElement.scrollWidth, window.innerWidth]',
        );
        expect({ hash, width, scrollWidth: widths[0] }).toEqual({
          hash,
          width,
          scrollWidth: widths[1],
        });
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('deletes the rule after asking, with the keyboard alone', async () => {
    await open('#/rules', 'table.rules');
    await page.getByRole('button', { name: 'Delete rule CSAT after a fix' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Delete “CSAT after a fix” and its decisions?').waitFor();
    // The question takes the focus to its answer; "Keep it" changes nothing.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Delete rule CSAT after a fix' }).waitFor();
    expect(await rules()).toHaveLength(1);
    await page.getByRole('button', { name: 'Delete rule CSAT after a fix' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // "Yes, delete it" has the focus
    await page.getByText('No rules yet.').waitFor();
    expect(await rules()).toEqual([]);
    expect((await t.api(`/api/survey-rules/${ruleId}`)).status).toBe(404);
  });
});
