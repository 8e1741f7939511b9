// node bench/roles.bench.js — end to end beside the intake: 10-event deliveries offered for
// BENCH_DURATION s (default 15) at 50 connections, (a) to one `all` process, (b) to one intake
// with two workers (PROCESS_ROLE), each on a fresh database of the local PostgreSQL. Reports what
// was acknowledged, what was processed during the load, the processing lag (age of the oldest
// pending event, sampled every second), and how long the backlog took to drain afterwards.
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer, cannon } = require('./lib');

const SECRET = 'bench-app-secret';
const DURATION = Number(process.env.BENCH_DURATION || 15);
const EVENTS = Number(process.env.BENCH_EVENTS || 10);

const env = (url, role, migrate) => ({
  NODE_ENV: 'production',
  DATABASE_URL: url,
  MESSENGER_APP_SECRET: SECRET,
  MESSENGER_VERIFY_TOKEN: 'bench',
  API_TOKEN: 'bench-api-token-0123456789',
  PROCESS_ROLE: role,
  MIGRATE_ON_START: migrate ? 'true' : 'false',
});

async function lagSeconds(client) {
  const { rows } = await client.query(
    `SELECT coalesce(extract(epoch FROM now() - (
       SELECT received_at FROM webhook_events WHERE status = 'pending' ORDER BY id LIMIT 1)), 0)::float8 AS lag`,
  );
  return rows[0].lag;
}

async function count(client, where) {
  return Number((await client.query(`SELECT count(*) AS n FROM webhook_events ${where}`)).rows[0].n);
}

async function run(name, topology) {
  const db = await freshDatabase(`bench_roles_${topology}`);
  const main = join(ROOT, 'dist', 'main.js');
  const servers = [];
  if (topology === 'all') {
    servers.push(await startServer(main, env(db.url, 'all', true)));
  } else {
    servers.push(await startServer(main, env(db.url, 'intake', true)));
    servers.push(await startServer(main, env(db.url, 'worker', false)));
    servers.push(await startServer(main, env(db.url, 'worker', false)));
  }
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  try {
    await cannon({ url: servers[0].base, duration: 2, secret: SECRET, events: EVENTS }); // warm-up
    for (;;) if ((await count(sql, `WHERE status <> 'processed'`)) === 0) break;
    const before = await count(sql, `WHERE status = 'processed'`);
    const lags = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lags.push(await lagSeconds(sql));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const result = await cannon({
      url: servers[0].base,
      duration: DURATION,
      secret: SECRET,
      events: EVENTS,
    });
    sampling = false;
    await sampler;
    const processedDuring = (await count(sql, `WHERE status = 'processed'`)) - before;
    const endOfLoad = Date.now();
    while ((await count(sql, `WHERE status <> 'processed'`)) > 0) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const acknowledged = result['2xx'];
    return {
      name,
      acknowledgedDeliveriesPerSec: Math.round(acknowledged / result.duration),
      acknowledgedEventsPerSec: Math.round((acknowledged * EVENTS) / result.duration),
      processedEventsPerSecDuringLoad: Math.round(processedDuring / result.duration),
      p99ms: result.latency.p99,
      lagMaxS: Math.max(...lags).toFixed(2),
      lagLastS: lags[lags.length - 1].toFixed(2),
      drainAfterLoadS: ((Date.now() - endOfLoad) / 1000).toFixed(1),
      non2xx: result.non2xx,
    };
  } finally {
    await sql.end();
    for (const server of servers) await server.stop();
    await db.drop();
  }
}

async function main() {
  const results = [];
  results.push(await run(`one 'all' process, ${EVENTS}-event deliveries`, 'all'));
  results.push(await run(`one intake + two workers, ${EVENTS}-event deliveries`, 'split'));
  console.table(results);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
