// node bench/retention.bench.js (after npm run build) — the retention job pruning old raw rows
// while the intake runs: acknowledged deliveries per second of POST /webhook (1 event each, 50
// connections) while the same process prunes BENCH_PRUNE_ROWS (default 100,000) back-dated
// deliveries and as many processed inbox events (RETENTION_SWEEP_INTERVAL_MS 1 s), in windows
// alternating with windows where pruning is held off: the bench then holds the job's advisory
// lock, so each pass finds it taken, as when another replica prunes. BENCH_PRUNE_WINDOW s pruning
// (default 10), then BENCH_PAUSE_WINDOW s held off (default 10), until no old row is left; the
// service is the same in both, so the difference is the pruning's. Reports the intake's rate in
// both kinds of window (mean, and the median of each pruning window over the held-off one after
// it), the pruning rate (rows over the seconds of pruning windows), and checks that nothing new
// was pruned. Then erases one customer with BENCH_ERASE_MESSAGES messages beside what the run
// stored; BENCH_ERASE_ONLY=1 measures only that, beside BENCH_PRUNE_ROWS × 2 recent raw rows.
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer, cannon } = require('./lib');

/** The retention job's advisory lock (src/privacy/retention.repository.ts). */
const RETENTION_LOCK = 7_311_001;

const SECRET = 'bench-app-secret';
/** Seconds of intake while the job prunes, then while it is held off, alternately. */
const PRUNE_WINDOW = Number(process.env.BENCH_PRUNE_WINDOW || 10);
const PAUSE_WINDOW = Number(process.env.BENCH_PAUSE_WINDOW || 10);
/** Stops measuring after this long even if old rows are left (reported). */
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS || 1800);
const ROWS = Number(process.env.BENCH_PRUNE_ROWS || 100_000);

async function query(url, sql) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
const count = async (url, sql) => Number((await query(url, sql))[0].n);

/**
 * ROWS deliveries and processed events (each ~400 bytes of body) of 100,000 customers, received
 * `age` ago (a PostgreSQL interval).
 */
async function seedRaw(url, age) {
  await query(
    url,
    `WITH d AS (
       INSERT INTO webhook_deliveries (object, body, event_count, received_at)
       SELECT 'page', repeat('x', 400), 1, now() - interval '${age}' FROM generate_series(1, ${ROWS})
       RETURNING id
     )
     INSERT INTO webhook_events (delivery_id, dedupe_key, kind, object, source, page_id, user_id,
                                 occurred_at, payload, status, received_at, processed_at)
     SELECT id, md5(id::text || 'a') || md5(id::text || 'b'), 'message', 'page', 'messaging', 'P', 'U' || id % 100000,
            now() - interval '${age}', '{"old": true}', 'processed', now() - interval '${age}', now() - interval '${age}'
     FROM d`,
  );
}

const ERASE_MESSAGES = Number(process.env.BENCH_ERASE_MESSAGES || 10_000);

/**
 * One customer with ERASE_MESSAGES messages, each with its raw delivery and inbox event, beside
 * everything the runs stored: DELETE /api/customers/... until GET /api/erasures/{id} says done.
 */
async function erase(url, base) {
  await query(
    url,
    `WITH d AS (
       INSERT INTO webhook_deliveries (object, body, event_count)
       SELECT 'page', '{"object":"page","entry":[{"id":"PAGE_BENCH","messaging":[{"sender":{"id":"U_ERASE"},"message":{"mid":"m_erase_' || i || '","text":"secret words"}}]}]}', 1
       FROM generate_series(1, ${ERASE_MESSAGES}) i RETURNING id
     ), e AS (
       INSERT INTO webhook_events (delivery_id, dedupe_key, kind, object, source, page_id, user_id, occurred_at, payload, status)
       SELECT id, md5(id::text || 'e') || md5(id::text || 'f'), 'message', 'page', 'messaging', 'PAGE_BENCH', 'U_ERASE', now(),
              '{"sender":{"id":"U_ERASE"},"message":{"text":"secret words"}}', 'processed' FROM d
     )
     INSERT INTO messages (mid, page_id, user_id, direction, sent_at, text)
     SELECT 'm_erase_' || i, 'PAGE_BENCH', 'U_ERASE', 'inbound', now(), 'secret words' FROM generate_series(1, ${ERASE_MESSAGES}) i`,
  );
  const headers = { authorization: 'Bearer bench-api-token-0123456789' };
  const started = Date.now();
  const res = await fetch(`${base}/api/customers/PAGE_BENCH/U_ERASE`, {
    method: 'DELETE',
    headers,
  });
  const { id } = await res.json();
  let body;
  do {
    await new Promise((r) => setTimeout(r, 50));
    body = await (await fetch(`${base}/api/erasures/${id}`, { headers })).json();
  } while (body.status !== 'done' && Date.now() - started < 120_000);
  return {
    messages: ERASE_MESSAGES,
    seconds: (Date.now() - started) / 1000,

    erased: body.erased,
  };
}

function env(db, interval) {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN: 'bench-api-token-0123456789',
    RETENTION_SWEEP_INTERVAL_MS: String(interval),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function run(app, duration) {
  const r = await cannon({ url: app.base, duration, secret: SECRET });
  return {
    deliveriesPerSec: Math.round(r['2xx'] / r.duration),
    p99ms: r.latency.p99,
    non2xx: r.non2xx,
  };
}

/**
 * BENCH_ERASE_ONLY=1: no pruning; ROWS recent raw deliveries and as many inbox events of other
 * customers (kept by retention), then the erasure beside them.
 */
async function eraseOnly() {
  const db = await freshDatabase('bench_retention');
  const app = await startServer(join(ROOT, 'dist', 'main.js'), env(db, 3_600_000));
  try {
    await seedRaw(db.url, '1 hour');
    await query(db.url, 'VACUUM ANALYZE webhook_deliveries, webhook_events');
    const rawRows = await count(
      db.url,
      'SELECT (SELECT count(*) FROM webhook_deliveries) + (SELECT count(*) FROM webhook_events) AS n',
    );
    const result = { rawRowsBeside: rawRows, erasure: await erase(db.url, app.base) };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await app.stop();
    await db.drop();
  }
}

async function main() {
  if (process.env.BENCH_ERASE_ONLY === '1') return eraseOnly();
  const db = await freshDatabase('bench_retention');
  // Held off from the start: the seeding and the warm-up are not pruned meanwhile.
  const lock = new Client({ connectionString: db.url });
  await lock.connect();
  await lock.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
  const app = await startServer(join(ROOT, 'dist', 'main.js'), env(db, 1_000));
  try {
    // Old rows first, as they are in a real inbox (ids follow received_at: the job prunes in id
    // order up to the first row received after the cutoff).
    await seedRaw(db.url, '40 days');
    await query(db.url, 'VACUUM ANALYZE webhook_deliveries, webhook_events');
    await cannon({ url: app.base, duration: 2, secret: SECRET }); // warm-up
    const oldRows = `SELECT (SELECT count(*) FROM webhook_deliveries WHERE received_at < now() - interval '30 days')
                          + (SELECT count(*) FROM webhook_events WHERE received_at < now() - interval '30 days') AS n`;
    const newBefore = await count(
      db.url,
      "SELECT count(*) AS n FROM webhook_deliveries WHERE received_at > now() - interval '1 day'",
    );
    const windows = [];
    let pruningSeconds = 0;
    let left = await count(db.url, oldRows);
    let held = true;
    const started = Date.now();
    try {
      for (let i = 0; left > 0 || i % 2 === 1; i++) {
        if (Date.now() - started > MAX_SECONDS * 1000) break;
        const pruning = i % 2 === 0;
        if (pruning && held) await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
        // Taken back between two batches (the job takes it per batch, for one transaction).
        if (!pruning) await lock.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
        held = !pruning;
        const windowStarted = Date.now();
        const figures = await run(app, pruning ? PRUNE_WINDOW : PAUSE_WINDOW);
        if (pruning) pruningSeconds += (Date.now() - windowStarted) / 1000;
        windows.push({ pruning, ...figures });
        if (pruning) left = await count(db.url, oldRows);
      }
    } finally {
      await lock.end();
    }
    const newAfter = await count(
      db.url,
      "SELECT count(*) AS n FROM webhook_deliveries WHERE received_at > now() - interval '1 day'",
    );
    // Each pruning window against the paused window right after it.
    const ratios = [];
    for (let i = 0; i + 1 < windows.length; i += 2) {
      ratios.push(windows[i].deliveriesPerSec / windows[i + 1].deliveriesPerSec);
    }
    const sum = (pruning) =>
      windows.filter((w) => w.pruning === pruning).reduce((n, w) => n + w.deliveriesPerSec, 0) /
      windows.filter((w) => w.pruning === pruning).length;
    const result = {
      rowsSeeded: ROWS * 2,
      windows: windows.length,
      meanWhilePruning: Math.round(sum(true)),
      meanPaused: Math.round(sum(false)),
      ratioOfMeans: Number((sum(true) / sum(false)).toFixed(3)),
      medianPairRatio: Number(median(ratios).toFixed(3)),
      worstP99msWhilePruning: Math.max(...windows.filter((w) => w.pruning).map((w) => w.p99ms)),
      worstP99msPaused: Math.max(...windows.filter((w) => !w.pruning).map((w) => w.p99ms)),
      non2xx: windows.reduce((n, w) => n + w.non2xx, 0),
      pruningSeconds: Number(pruningSeconds.toFixed(1)),
      rowsPrunedPerSec: Math.round((ROWS * 2 - left) / pruningSeconds),
      oldRowsLeft: left,
      newDeliveriesKept: newAfter >= newBefore,
    };
    console.table(windows);
    result.erasure = await erase(db.url, app.base);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await app.stop();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
