// npm run bench (or: npm run build && node bench/dashboard.bench.js) — the dashboard with many
// answers: the size of all its JavaScript (gzipped, as sent over the wire by a compressing proxy),
// the time of the overview's and the answers view's API calls (all of a view's calls together, as
// the page makes them), and the time from navigation to the first full render of each view in
// Debian's headless chromium (playwright-core), through the compiled service over loopback.
//
// Answers, surveys and rollups are generated as bench/scores.bench.js does (a year, 10 Pages, 10 %
// of answers with a comment). Bounded: BENCH_DASHBOARD_ANSWERS (default 1000000), BENCH_RUNS per
// figure (default 30 for the API, a third of that for renders). CHROMIUM_PATH (default
// /usr/bin/chromium). BENCH_KEEP_DB=1 keeps the database (bench_dashboard).
const { readFileSync, readdirSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { gzipSync } = require('node:zlib');
const { Client } = require('pg');
const { chromium } = require('playwright-core');
const { ROOT, freshDatabase, startServer } = require('./lib');
const { load } = require('./scores.bench');
const { migrate } = require('../dist/database/migrator');

const ANSWERS = Number(process.env.BENCH_DASHBOARD_ANSWERS || 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS || 30);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const API_TOKEN = 'bench-api-token-0123456789';
const DAY = 24 * 60 * 60 * 1000;

/** Every script the dashboard loads: its own modules and uPlot's ES module build. */
function javascriptSizes() {
  const root = join(ROOT, 'dist', 'dashboard', 'public');
  const files = [
    ...readdirSync(root)
      .filter((f) => f.endsWith('.js'))
      .map((f) => join(root, f)),
    ...readdirSync(join(root, 'views')).map((f) => join(root, 'views', f)),
  ];
  const own = files.reduce(
    (sum, file) => {
      const bytes = readFileSync(file);
      return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes).length };
    },
    { raw: 0, gzip: 0 },
  );
  const uplotBytes = readFileSync(join(dirname(require.resolve('uplot')), 'uPlot.esm.js'));
  return {
    own,
    uplot: { raw: uplotBytes.length, gzip: gzipSync(uplotBytes).length },
    files: files.length + 1,
  };
}

function summarise(times) {
  const sorted = [...times].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1], count: sorted.length };
}

async function timed(runs, work) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await work(i);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return summarise(times);
}

/** The period filter's range, as the dashboard computes it: whole UTC days up to tomorrow. */
function lastDays(days) {
  const to = Math.ceil(Date.now() / DAY) * DAY;
  return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString() };
}

/** What the overview asks (overview.js), in parallel: scores, feedback, Pages, trends, breakdowns. */
function overviewCalls(days, pageId) {
  const { from, to } = lastDays(days);
  const q = (extra) =>
    new URLSearchParams({ ...(pageId ? { pageId } : {}), from, to, ...extra }).toString();
  return [
    `/api/scores?${q({ compare: 'previous' })}`,
    `/api/response-feedback?${q({})}`,
    '/api/pages?limit=500',
    ...['csat', 'nps', 'ces'].map((type) => `/api/scores/${type}/trend?${q({ interval: 'day' })}`),
    ...['responder', 'rule', 'page'].map(
      (by) => `/api/scores/breakdown?${q({ by, type: 'csat' })}`,
    ),
  ];
}

/** What the answers view asks: the Pages and a page of 100 comments. */
function answersCalls(days, extra) {
  const { from, to } = lastDays(days);
  return [
    '/api/pages?limit=500',
    `/api/scores/comments?${new URLSearchParams({ from, to, limit: '100', ...extra })}`,
  ];
}

async function getAll(base, paths) {
  await Promise.all(
    paths.map(async (path) => {
      const res = await fetch(base + path, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    }),
  );
}

async function main() {
  const sizes = javascriptSizes();
  console.log(
    `JavaScript: ${sizes.files} files, ${(sizes.own.raw / 1024).toFixed(1)} KB own (${(sizes.own.gzip / 1024).toFixed(1)} KB gzipped) + uPlot ${(sizes.uplot.raw / 1024).toFixed(1)} KB (${(sizes.uplot.gzip / 1024).toFixed(1)} KB gzipped) = ${((sizes.own.gzip + sizes.uplot.gzip) / 1024).toFixed(1)} KB gzipped`,
  );

  const database = await freshDatabase('bench_dashboard');
  await migrate(database.url);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const started = Date.now();
  await load(db, 1, ANSWERS, new Date().toISOString());
  await db.query(
    'INSERT INTO pages (id) SELECT (1000000001 + i)::text FROM generate_series(0, 9) i ON CONFLICT DO NOTHING',
  );
  console.log(
    `${ANSWERS.toLocaleString('en')} answers loaded in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  // The session cookie is Secure in production, which a browser keeps for http://localhost only;
  // the rest of production's settings (logging, no sandbox) are the same here.
  const app = await startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'development',
    MESSENGER_SANDBOX: 'false',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    MESSENGER_APP_SECRET: 'bench-app-secret',
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const rows = [];
  try {
    const api = [
      ['overview, all Pages, 30 days', overviewCalls(30)],
      ['overview, all Pages, 90 days', overviewCalls(90)],
      ['overview, one Page, 90 days', overviewCalls(90, '1000000004')],
      ['answers, newest first, 30 days', answersCalls(30, {})],
      [
        'answers, low band, lowest first, 90 days',
        answersCalls(90, { band: 'low', order: 'lowest' }),
      ],
      // The generated comments all belong to the first Page (every tenth answer): one Page full
      // of comments, and one with none at all, where every score is looked through for nothing.
      [
        'answers, the Page with comments, lowest first, 365 days',
        answersCalls(365, { pageId: '1000000001', order: 'lowest' }),
      ],
      [
        'answers, a Page without comments, lowest first, 365 days',
        answersCalls(365, { pageId: '1000000004', order: 'lowest' }),
      ],
    ];
    for (const [, paths] of api) await getAll(app.base, paths); // warm-up
    for (const [name, paths] of api) {
      const figure = await timed(RUNS, () => getAll(app.base, paths));
      rows.push({ name: `API calls of the ${name} (${paths.length} in parallel)`, ...figure });
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.base}/`);
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByTestId('card-csat').waitFor();
    const views = [
      [
        'overview, 30 days',
        '#/overview?period=30',
        () => page.locator('.trend .plot canvas').nth(2).waitFor(),
      ],
      [
        'overview, 90 days',
        '#/overview?period=90',
        () => page.locator('.trend .plot canvas').nth(2).waitFor(),
      ],
      [
        'answers, 100 rows, lowest first',
        '#/answers?period=90&sort=lowest',
        () => page.locator('table.answers tbody tr').nth(99).waitFor(),
      ],
    ];
    for (const [name, hash, ready] of views) {
      const figure = await timed(Math.max(3, Math.round(RUNS / 3)), async () => {
        // A fresh document each time: the HTML, every module (from the cache, as a reload would)
        // and every API call, until the view's last chart or row is on screen.
        await page.goto('about:blank');
        await page.goto(`${app.base}/${hash}`);
        await ready();
        await page.locator('main:not([aria-busy])').waitFor();
      });
      rows.push({ name: `first render in headless chromium: ${name}`, ...figure });
    }
  } finally {
    await browser.close();
    await app.stop();
    await db.end();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }
  console.log(`\n| ${ANSWERS.toLocaleString('en')} answers | p50 | p90 | max | runs |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.p50.toFixed(1)} ms | ${r.p90.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.count} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
