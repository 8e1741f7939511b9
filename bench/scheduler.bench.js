// npm run build && node bench/scheduler.bench.js — the survey scheduler (DecisionScheduler):
// BENCH_SCHEDULER_DECISIONS (default 100,000) conversation_idle decisions due at once, each to its
// own customer (written straight into survey_decisions and conversations, one statement each), and
// a local Graph API (node:http on loopback answering each Send API call with a message id).
//
// 1. The configured rate: the service with SURVEY_SCHEDULER_POLL_INTERVAL_MS=1000 and
//    SURVEY_SCHEDULER_BATCH_SIZE=BENCH_SCHEDULER_PACED_BATCH (default 20: 20/s configured) for
//    BENCH_SCHEDULER_PACED_S seconds: the measured rate against the configured one.
// 2. The rest as fast as one process goes: a new process on the same database (the first one
//    stopped: a restart with decisions pending) with a 50 ms interval and batches of 1,000
//    (20,000/s configured, so the service is the bound), until none is scheduled.
// 3. The baseline, in the same run and process: POST /api/surveys (the same send path) to other
//    customers, 8 requests at a time (the scheduler's concurrency) for BENCH_SCHEDULER_PACED_S s.
// Throughout, the service's RSS is sampled every second (/proc/<pid>/status): its baseline is the
// RSS of the same process after start, before its first pass had anything to do. Then every
// decision must be `sent` and the Graph API must have had each customer exactly once.
// Bounded: phase 2 gives up after BENCH_SCHEDULER_TIMEOUT_S (default 3600) seconds.
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer } = require('./lib');

const DECISIONS = Number(process.env.BENCH_SCHEDULER_DECISIONS || 100000);
const PACED_S = Number(process.env.BENCH_SCHEDULER_PACED_S || 15);
const PACED_BATCH = Number(process.env.BENCH_SCHEDULER_PACED_BATCH || 20);
const TIMEOUT_MS = Number(process.env.BENCH_SCHEDULER_TIMEOUT_S || 3600) * 1000;
const PAGE = '1000000000000077';
const API_TOKEN = 'bench-api-token-0123456789';

/** The Graph API: counts the surveys per recipient. */
function graphApi() {
  const state = { byRecipient: new Map(), total: 0, duplicates: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const id = body.recipient?.id ?? '';
      const seen = state.byRecipient.get(id) ?? 0;
      if (seen > 0) state.duplicates++;
      state.byRecipient.set(id, seen + 1);
      state.total++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ recipient_id: id, message_id: `m_${state.total}` }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function scheduledCount(db) {
  const { rows } = await db.query(
    "SELECT count(*)::int AS n FROM survey_decisions WHERE outcome = 'scheduled'",
  );
  return rows[0].n;
}

async function start(database, graph, interval, batch) {
  return startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    MESSENGER_APP_SECRET: 'bench-app-secret',
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN,
    GRAPH_API_URL: graph.url,
    MESSENGER_PAGE_TOKENS: JSON.stringify({ [PAGE]: 'EAA-bench' }),
    PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
    SURVEY_SCHEDULER_POLL_INTERVAL_MS: String(interval),
    SURVEY_SCHEDULER_BATCH_SIZE: String(batch),
  });
}

async function main() {
  const database = await freshDatabase('bench_scheduler');
  const graph = await graphApi();
  let app = await start(database, graph, 1000, PACED_BATCH);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const baseline = rssMiB(app.pid);
    const res = await fetch(`${app.base}/api/survey-rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        pageIds: [PAGE],
        trigger: { type: 'conversation_idle', idleMinutes: 30 },
        survey: { type: 'csat' },
      }),
    });
    if (res.status !== 201) throw new Error(`rule: ${res.status}`);
    const rule = await res.json();
    const seeded = Date.now();
    await db.query(`INSERT INTO pages (id) VALUES ($1) ON CONFLICT DO NOTHING`, [PAGE]);
    await db.query(
      `INSERT INTO conversations (page_id, user_id, last_inbound_at, last_message_at, message_count)
       SELECT $1, (7000000000 + i)::text, now() - interval '40 minutes', now() - interval '31 minutes', 2
       FROM generate_series(1, $2::int) AS g(i)`,
      [PAGE, DECISIONS],
    );
    await db.query(
      `INSERT INTO survey_decisions (rule_id, page_id, user_id, trigger, event_key, outcome, due_at,
                                     decided_at, customer_at, page_at)
       SELECT $1, $2, (7000000000 + i)::text, 'conversation_idle',
              'conversation_idle:' || $2 || ':' || (7000000000 + i) || ':1', 'scheduled',
              now() - interval '1 minute', now(), now() - interval '40 minutes', now() - interval '31 minutes'
       FROM generate_series(1, $3::int) AS g(i)`,
      [rule.id, PAGE, DECISIONS],
    );
    console.log(
      `${DECISIONS.toLocaleString('en')} decisions due, written in ${((Date.now() - seeded) / 1000).toFixed(1)} s; ` +
        `service RSS at rest ${baseline.toFixed(0)} MiB`,
    );

    // 1. Paced: PACED_BATCH per second configured.
    const rss = [];
    const pacedFrom = graph.state.total;
    const pacedStart = Date.now();
    while (Date.now() - pacedStart < PACED_S * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(rssMiB(app.pid));
    }
    const pacedRate = (graph.state.total - pacedFrom) / ((Date.now() - pacedStart) / 1000);
    console.log(
      `paced (1000 ms, batches of ${PACED_BATCH}: ${PACED_BATCH}/s configured): ${pacedRate.toFixed(1)} sent/s ` +
        `(${((pacedRate / PACED_BATCH) * 100).toFixed(0)} % of configured), RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB`,
    );
    await app.stop();

    // 2. A new process on the same database, as fast as it goes.
    app = await start(database, graph, 50, 1000);
    const fastFrom = graph.state.total;
    const fastStart = Date.now();
    const fastRss = [];
    let last = { at: fastStart, total: fastFrom };
    const windows = [];
    while ((await scheduledCount(db)) > 0) {
      if (Date.now() - fastStart > TIMEOUT_MS) throw new Error('scheduler did not finish in time');
      await new Promise((r) => setTimeout(r, 1000));
      fastRss.push(rssMiB(app.pid));
      const now = { at: Date.now(), total: graph.state.total };
      windows.push((now.total - last.total) / ((now.at - last.at) / 1000));
      last = now;
    }
    const seconds = (Date.now() - fastStart) / 1000;
    const fastSent = graph.state.total - fastFrom;
    const steady = windows.slice(1, -1).sort((a, b) => a - b);
    const median = steady.length > 0 ? steady[Math.floor(steady.length / 2)] : fastSent / seconds;
    const quarter = Math.floor(fastRss.length / 4);
    const firstQuarter = Math.max(...fastRss.slice(0, Math.max(1, quarter)));
    const lastQuarter = Math.max(...fastRss.slice(-Math.max(1, quarter)));
    console.log(
      `unpaced (50 ms, batches of 1,000), after a restart: ${fastSent.toLocaleString('en')} sent in ${seconds.toFixed(1)} s, ` +
        `${Math.round(fastSent / seconds)}/s overall, median ${Math.round(median)}/s per second; ` +
        `RSS ${Math.min(...fastRss).toFixed(0)}–${Math.max(...fastRss).toFixed(0)} MiB ` +
        `(peak of first quarter ${firstQuarter.toFixed(0)}, of last quarter ${lastQuarter.toFixed(0)}; ` +
        `at rest ${baseline.toFixed(0)})`,
    );

    // 3. Baseline: the same send path through the API, 8 at a time, other customers.
    await db.query(
      `INSERT INTO conversations (page_id, user_id, last_inbound_at, last_message_at, message_count)
       SELECT $1, (8000000000 + i)::text, now() - interval '40 minutes', now() - interval '31 minutes', 2
       FROM generate_series(1, 100000) AS g(i)`,
      [PAGE],
    );
    let next = 0;
    let posted = 0;
    const apiStart = Date.now();
    const poster = async () => {
      while (Date.now() - apiStart < PACED_S * 1000) {
        const r = await fetch(`${app.base}/api/surveys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            recipientId: String(8000000001 + next++),
            pageId: PAGE,
            type: 'csat',
          }),
        });
        if (r.status !== 201) throw new Error(`POST /api/surveys: ${r.status} ${await r.text()}`);
        posted++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, poster));
    const apiRate = posted / ((Date.now() - apiStart) / 1000);
    console.log(
      `baseline POST /api/surveys, 8 at a time: ${apiRate.toFixed(1)}/s; ` +
        `scheduler unpaced / baseline: ${(median / apiRate).toFixed(2)}`,
    );

    const { rows } = await db.query(
      'SELECT outcome, count(*)::int AS n FROM survey_decisions GROUP BY outcome ORDER BY outcome',
    );
    console.log(`outcomes: ${rows.map((r) => `${r.outcome} ${r.n}`).join(', ')}`);
    const once = [...graph.state.byRecipient.values()].every((n) => n === 1);
    console.log(
      `Graph API: ${graph.state.total.toLocaleString('en')} surveys to ${graph.state.byRecipient.size.toLocaleString('en')} customers ` +
        `(${DECISIONS.toLocaleString('en')} scheduled, the rest the baseline's), ` +
        `duplicates ${graph.state.duplicates}`,
    );
    const scheduled = [...graph.state.byRecipient.keys()].filter((id) => id.startsWith('7'));
    if (!once || scheduled.length !== DECISIONS) throw new Error('not exactly once each');
  } finally {
    await app.stop();
    await db.end();
    graph.server.close();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
