// npm run bench (or: npm run build && node bench/campaigns.bench.js) — survey campaigns on the
// real clock, in the compiled service on PostgreSQL, against a stand-in Send API on loopback that
// answers after BENCH_CAMPAIGN_LATENCY_MS (default 50) and records when each request arrived.
//
// 1. The snapshot: POST /api/survey-campaigns over 10,000 and then 100,000 customers of a Page (one
//    INSERT ... SELECT each): the ratio of the two times says whether it is linear.
// 2. The pacing: the 100,000-customer campaign at BENCH_CAMPAIGN_RATE (default 100/s) for
//    BENCH_CAMPAIGN_SECONDS (default 15), then cancelled, then another at 300/s (Meta's limit per
//    Page) over the 10,000: the sends per second achieved against the rate asked, and the most
//    sends the stand-in received in any one-second window (must not exceed the rate).
//
// The baseline, in the same run: POST /api/surveys alone from 20 connections for as long, what
// the send path (shared with the campaigns) achieves on this machine at that moment.
//
// Loopback only; bounded: the run is cancelled after its seconds, every wait has a deadline.
const { createServer } = require('node:http');
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer } = require('./lib');

const API_TOKEN = 'bench-api-token-0123456789';
const PAGE = '100000000000777';
const LATENCY_MS = Number(process.env.BENCH_CAMPAIGN_LATENCY_MS || 50);
const SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS || 15);
/** The first run's rate, then Meta's limit per Page. */
const RATE = Number(process.env.BENCH_CAMPAIGN_RATE || 100);
const MAX_RATE = 300;

/** The stand-in Send API: answers every POST .../messages after LATENCY_MS. */
function graph() {
  const arrivals = [];
  let n = 0;
  const server = createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ recipient_id: 'x', message_id: `m_${++n}` }));
      }, LATENCY_MS),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, arrivals, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

function busiestSecond(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

async function main() {
  const database = await freshDatabase('bench_campaigns');
  const stand = await graph();
  const app = await startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    MESSENGER_APP_SECRET: 'bench-app-secret',
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN,
    GRAPH_API_URL: stand.url,
    MESSENGER_PAGE_TOKENS: JSON.stringify({
      [PAGE]: 'EAA-bench',
      100000000000778: 'EAA-b',
      100000000000779: 'EAA-c',
    }),
    PRIVACY_POLICY_URL: 'https://example.com/privacy',
    // The 100,000-customer snapshot is one statement: room for it on a loaded machine.
    DATABASE_TIMEOUT_MS: '20000',
  });
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const api = (path, init = {}) =>
    fetch(app.base + path, {
      ...init,
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    });
  try {
    const seed = async (page, count) => {
      await db.query('INSERT INTO pages (id) VALUES ($1) ON CONFLICT DO NOTHING', [page]);
      await db.query(
        `INSERT INTO conversations (page_id, user_id, last_inbound_at, last_message_at, message_count)
         SELECT $1, (1000000 + g)::text, now() - (g % 3600) * interval '1 second', now(), 1
         FROM generate_series(1, $2::int) g`,
        [page, count],
      );
      await db.query('ANALYZE conversations');
    };
    const create = async (page, rate) => {
      const start = performance.now();
      const res = await api('/api/survey-campaigns', {
        method: 'POST',
        body: JSON.stringify({
          pageId: page,
          since: new Date(Date.now() - 86_400_000).toISOString(),
          survey: { type: 'csat' },
          ratePerSecond: rate,
        }),
      });
      const ms = performance.now() - start;
      if (res.status !== 202) throw new Error(`create: ${res.status} ${await res.text()}`);
      return { ...(await res.json()), ms };
    };

    // 1. The snapshot, 10,000 then 100,000 customers (each Page its own customers).
    await seed('100000000000778', 10_000);
    await seed(PAGE, 100_000);
    const small = await create('100000000000778', 1);
    await api(`/api/survey-campaigns/${small.id}/cancel`, { method: 'POST' });
    const big = await create(PAGE, RATE);
    console.log(
      `snapshot: ${small.total} customers ${small.ms.toFixed(0)} ms, ${big.total} customers ${big.ms.toFixed(0)} ms (x${(big.ms / small.ms).toFixed(1)} for x${big.total / small.total})`,
    );

    // 2. The pacing on the real clock: the 100,000-customer campaign (cancelled), then 300/s.
    const pace = async (id, rate) => {
      const before = stand.arrivals.length;
      const start = Date.now();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const cancelled = await (
        await api(`/api/survey-campaigns/${id}/cancel`, { method: 'POST' })
      ).json();
      const elapsed = (Date.now() - start) / 1000;
      await new Promise((r) => setTimeout(r, 1000 + LATENCY_MS));
      const times = stand.arrivals.slice(before);
      const steady = times.filter((t) => t >= start + 1000 && t < start + SECONDS * 1000);
      const perSecond = steady.length / (SECONDS - 1);
      console.log(
        `pacing at ${rate}/s for ${elapsed.toFixed(1)} s (Send API answering in ${LATENCY_MS} ms): ${cancelled.sent} sent, ` +
          `${perSecond.toFixed(1)}/s after the first second (${((perSecond / rate) * 100).toFixed(1)} % of the rate), ` +
          `busiest one-second window ${busiestSecond(times)} (limit ${rate}), failed ${cancelled.failed}`,
      );
    };
    // Baseline, same run: the send path alone, POST /api/surveys from 20 connections for the same
    // time to another Page's customers (what this machine can send now, with no pacing at all).
    const basePage = '100000000000779';
    await seed(basePage, 50_000);
    let next = 0;
    const baseStart = Date.now();
    const baseEnd = baseStart + SECONDS * 1000;
    const worker = async () => {
      while (Date.now() < baseEnd) {
        const res = await api('/api/surveys', {
          method: 'POST',
          body: JSON.stringify({
            recipientId: String(1000001 + next++),
            pageId: basePage,
            type: 'csat',
          }),
        });
        if (res.status !== 201) throw new Error(`send: ${res.status} ${await res.text()}`);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const baseline = next / ((Date.now() - baseStart) / 1000);
    console.log(
      `baseline: POST /api/surveys from 20 connections, ${baseline.toFixed(1)} surveys/s`,
    );
    await pace(big.id, RATE);
    const fast = await create('100000000000778', MAX_RATE);
    await pace(fast.id, MAX_RATE);
  } finally {
    await db.end();
    await app.stop();
    stand.server.close();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
