// npm run bench:webhook — acknowledged deliveries per second and acknowledgement latency of
// POST /webhook (signed single-event and 100-event deliveries, 50 connections, real PostgreSQL),
// beside a bare Fastify route that only checks the signature; then checks that every
// acknowledged event is in the inbox and processed. CPU µs per acknowledged delivery (service,
// PostgreSQL, load generator) come from /proc: they drift less than the rates on a shared machine.
// BENCH_WEBHOOK_EVENTS (default 1,100) the events per delivery of the service runs, BENCH_DRAIN_S
// (default 120) how long to wait for their processing after each run.
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer, cannon, cpuPerUnit } = require('./lib');

const SECRET = 'bench-app-secret';
const DURATION = Number(process.env.BENCH_DURATION || 10);
/** Events per delivery of the service's runs (BENCH_WEBHOOK_EVENTS, default 1,100). */
const EVENTS = (process.env.BENCH_WEBHOOK_EVENTS || '1,100').split(',').map(Number);
/** How long to wait for the acknowledged events to be processed after each run (seconds). */
const DRAIN_S = Number(process.env.BENCH_DRAIN_S || 120);

async function count(url, sql) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** A measured run: autocannon's result, and the CPU µs per acknowledged delivery. */
function measure(server, options) {
  return cpuPerUnit(
    server.pid,
    () => cannon(options),
    (r) => r['2xx'],
  );
}

function summary(name, { result: r, cpuUs }, events) {
  const ok = r['2xx'];
  return {
    name,
    deliveriesPerSec: Math.round(ok / r.duration),
    eventsPerSec: Math.round((ok * events) / r.duration),
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    acknowledged: ok,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuUsService: cpuUs.service,
    cpuUsPostgres: cpuUs.postgres,
    cpuUsLoadGenerator: cpuUs.loadGenerator,
  };
}

async function main() {
  const results = [];
  const bare = await startServer(join(__dirname, 'bare-fastify.js'), {
    MESSENGER_APP_SECRET: SECRET,
  });
  await cannon({ url: bare.base, duration: 2, secret: SECRET }); // warm-up
  results.push(
    summary(
      'bare Fastify, signature only, 1 event',
      await measure(bare, { url: bare.base, duration: DURATION, secret: SECRET }),
      1,
    ),
  );
  await bare.stop();

  for (const events of EVENTS) {
    const db = await freshDatabase(`bench_webhook_${events}`);
    const app = await startServer(join(ROOT, 'dist', 'main.js'), {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_VERIFY_TOKEN: 'bench',
      API_TOKEN: 'bench-api-token-0123456789',
    });
    await cannon({ url: app.base, duration: 2, secret: SECRET, events }); // warm-up
    const before = await count(db.url, 'SELECT count(*) AS n FROM webhook_events');
    const run = summary(
      `service, ${events} event${events > 1 ? 's' : ''} per delivery`,
      await measure(app, { url: app.base, duration: DURATION, secret: SECRET, events }),
      events,
    );
    // Every acknowledged event must be stored, then processed (nothing lost).
    const stored = (await count(db.url, 'SELECT count(*) AS n FROM webhook_events')) - before;
    const drainStart = Date.now();
    let pending;
    while (
      (pending = await count(
        db.url,
        "SELECT count(*) AS n FROM webhook_events WHERE status <> 'processed'",
      )) > 0 &&
      Date.now() - drainStart < DRAIN_S * 1000
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    run.storedEvents = stored;
    run.allAcknowledgedStored = stored >= run.acknowledged * events;
    run.pendingAfterDrain = pending;
    run.drainSeconds = (Date.now() - drainStart) / 1000;
    results.push(run);
    await app.stop();
    await db.drop();
  }
  const base = results[0].deliveriesPerSec;
  for (const r of results) r.ratioToBare = Number((r.deliveriesPerSec / base).toFixed(2));
  console.table(results);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
