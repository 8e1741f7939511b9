// node bench/webhook-large.bench.js (part of npm run bench) — acknowledgement time of single large
// deliveries to POST /webhook (real PostgreSQL), per 1,000 events, at 3,000 and at 30,000 events:
// the intake's cost must grow linearly with a delivery's size. While each delivery is in flight
// /health is polled; the slowest answer shows how long the event loop was held. Every event of
// every acknowledged delivery must be stored. BENCH_LARGE_SIZES (default "3000,30000") and
// BENCH_REPEATS (default 3) set the sizes and the deliveries measured per size.
const { Client } = require('pg');
const { join } = require('node:path');
const { ROOT, freshDatabase, startServer, sign, delivery } = require('./lib');

const SECRET = 'bench-app-secret';
const SIZES = (process.env.BENCH_LARGE_SIZES || '3000,30000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS || 3);
/** No single delivery may take longer than this (it took 42 s at 30,000 events when quadratic). */
const DELIVERY_TIMEOUT_MS = 120000;

async function storedEvents(url) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM webhook_events')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Sends one signed delivery of `events`; its acknowledgement time and /health's slowest answer meanwhile. */
async function measure(base, events) {
  const body = delivery(events);
  let done = false;
  let slowestHealthMs = 0;
  const poll = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${base}/health`, {
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${base}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) },
    body,
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  await res.text();
  const ackMs = performance.now() - started;
  done = true;
  await poll;
  if (res.status !== 200) throw new Error(`a delivery of ${events} events answered ${res.status}`);
  return { ackMs, slowestHealthMs, bytes: Buffer.byteLength(body) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const db = await freshDatabase('bench_webhook_large');
  const app = await startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN: 'bench-api-token-0123456789',
  });
  const results = [];
  try {
    await measure(app.base, 1000); // warm-up
    for (const events of SIZES) {
      const before = await storedEvents(db.url);
      const runs = [];
      for (let i = 0; i < REPEATS; i++) runs.push(await measure(app.base, events));
      const stored = (await storedEvents(db.url)) - before;
      const ackMs = median(runs.map((r) => r.ackMs));
      results.push({
        events,
        bodyMB: Number((runs[0].bytes / 1e6).toFixed(2)),
        deliveries: REPEATS,
        ackMsMedian: Math.round(ackMs),
        msPer1000Events: Number(((ackMs / events) * 1000).toFixed(1)),
        slowestHealthMs: Math.round(Math.max(...runs.map((r) => r.slowestHealthMs))),
        allEventsStored: stored === events * REPEATS,
      });
    }
  } finally {
    await app.stop();
    await db.drop();
  }
  console.table(results);
  console.log(JSON.stringify(results, null, 2));
  if (results.some((r) => !r.allEventsStored)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
