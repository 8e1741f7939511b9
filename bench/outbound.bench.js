// npm run bench (or: npm run build && node bench/outbound.bench.js) — outbound webhooks: 10,000
// `survey.responded` events put in the outbox at once (one statement, the outbox write of
// src/outbound/outbound.repository.ts: one delivery per event and matching subscription), and the
// time until a local receiver (a plain node:http server on loopback answering 204) has had every
// one of them, each signed (Standard Webhooks, checked with the standardwebhooks library on a
// sample) and each webhook-id once; then every delivery must be `succeeded` in the database.
//
// Then the intake under that load: the webhook benchmark's single-event run (autocannon, 50
// connections, signed deliveries) alone, and again while another BENCH_OUTBOUND_EVENTS go out,
// alternately, BENCH_OUTBOUND_REPEAT times each (default 3), in the same service: the ratio of the
// medians says what the deliveries cost the intake.
//
// Loopback only; the service runs with OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true (a receiver on
// 127.0.0.1) and NODE_ENV=development (http, which production refuses). Bounded: each wait for the
// deliveries gives up after BENCH_OUTBOUND_TIMEOUT_S (default 120) seconds.
const { createServer } = require('node:http');
const { join } = require('node:path');
const { Client } = require('pg');
const { Webhook } = require('standardwebhooks');
const { ROOT, freshDatabase, startServer, cannon, cpuPerUnit } = require('./lib');

const SECRET = 'bench-app-secret';
const API_TOKEN = 'bench-api-token-0123456789';
const EVENTS = Number(process.env.BENCH_OUTBOUND_EVENTS || 10000);
const REPEAT = Number(process.env.BENCH_OUTBOUND_REPEAT || 3);
const DURATION = Number(process.env.BENCH_DURATION || 10);
const TIMEOUT_MS = Number(process.env.BENCH_OUTBOUND_TIMEOUT_S || 120) * 1000;

/** `n` survey.responded events in the outbox, as OutboundEvents.record writes them. */
const OUTBOX = `
  INSERT INTO outbound_deliveries (subscription_id, event_type, body, next_attempt_at, created_at)
  SELECT s.id, 'survey.responded',
         json_build_object('type', 'survey.responded', 'timestamp', now(),
           'data', json_build_object('surveyId', gen_random_uuid(), 'pageId', '1000000001',
             'recipientId', (100000000 + i)::text, 'type', 'csat', 'questionId', 'csat',
             'status', 'responded', 'sentAt', now() - interval '1 hour', 'respondedAt', now(),
             'answer', json_build_object('score', 1 + i % 5, 'followUpText', 'thanks ' || i)))::text,
         now(), now()
  FROM generate_series(1, $1::int) AS g(i), webhook_subscriptions s WHERE s.enabled`;

/** The receiver: counts webhook-ids, keeps a few bodies to verify their signatures. */
function receiver() {
  const state = { ids: new Set(), duplicates: 0, sample: [], lastAt: 0, waiters: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (state.ids.has(id)) state.duplicates++;
      state.ids.add(id);
      state.lastAt = Date.now();
      if (state.sample.length < 20) {
        state.sample.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      }
      res.writeHead(204).end();
      for (const w of state.waiters.splice(0)) w();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}/hook` }),
    ),
  );
}

/** Resolves when the receiver has had `n` distinct ids (or rejects after TIMEOUT_MS). */
async function received(state, n) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (state.ids.size < n) {
    if (Date.now() > deadline) throw new Error(`only ${state.ids.size} of ${n} received`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 200);
      state.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const database = await freshDatabase('bench_outbound');
  const { url: hookUrl, state, server } = await receiver();
  const app = await startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    MESSENGER_APP_SECRET: SECRET,
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN,
    OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true',
  });
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const rows = [];
  try {
    const created = await fetch(`${app.base}/api/webhook-subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hookUrl, events: ['survey.responded'] }),
    });
    if (created.status !== 201) throw new Error(`subscription: ${created.status}`);
    const { secret } = await created.json();

    // 1. EVENTS deliveries, the service otherwise idle: three times.
    for (let run = 0; run < REPEAT; run++) {
      const target = state.ids.size + EVENTS;
      const started = Date.now();
      await db.query(OUTBOX, [EVENTS]);
      await received(state, target);
      const seconds = (state.lastAt - started) / 1000;
      const { rows: left } = await db.query(
        "SELECT count(*)::int AS n FROM outbound_deliveries WHERE status <> 'succeeded'",
      );
      // The last answers are recorded just after they are received.
      for (let i = 0; left[0].n > 0 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const { rows: again } = await db.query(
          "SELECT count(*)::int AS n FROM outbound_deliveries WHERE status <> 'succeeded'",
        );
        left[0].n = again[0].n;
      }
      if (left[0].n !== 0) throw new Error(`${left[0].n} deliveries not succeeded`);
      console.log(
        `${EVENTS.toLocaleString('en')} survey.responded delivered in ${seconds.toFixed(2)} s ` +
          `(${Math.round(EVENTS / seconds).toLocaleString('en')}/s), duplicates ${state.duplicates}`,
      );
      rows.push({ run: 'deliveries alone', seconds });
    }
    const wh = new Webhook(secret);
    for (const { headers, body } of state.sample) wh.verify(body, headers);
    console.log(`signatures of ${state.sample.length} sampled deliveries verified`);

    // 2. The intake alone and while EVENTS deliveries go out, alternately.
    await cannon({ url: app.base, duration: 2, secret: SECRET }); // warm-up
    const intake = { alone: [], during: [] };
    for (let run = 0; run < REPEAT; run++) {
      for (const mode of ['alone', 'during']) {
        const target = state.ids.size + EVENTS;
        const started = Date.now();
        if (mode === 'during') await db.query(OUTBOX, [EVENTS]);
        const { result, cpuUs } = await cpuPerUnit(
          app.pid,
          () => cannon({ url: app.base, duration: DURATION, secret: SECRET }),
          (r) => r['2xx'],
        );
        const rate = result['2xx'] / result.duration;
        let deliveredIn = null;
        if (mode === 'during') {
          await received(state, target);
          deliveredIn = (state.lastAt - started) / 1000;
        }
        intake[mode].push(rate);
        rows.push({ run: `intake ${mode}`, rate, p99: result.latency.p99, cpuUs, deliveredIn });
        console.log(
          `intake ${mode}: ${Math.round(rate).toLocaleString('en')} deliveries/s, p99 ${result.latency.p99} ms, ` +
            `service ${cpuUs.service} µs per delivery` +
            (deliveredIn === null
              ? ''
              : `; ${EVENTS.toLocaleString('en')} outbound delivered in ${deliveredIn.toFixed(2)} s`),
        );
      }
    }
    const ratio = median(intake.during) / median(intake.alone);
    console.log(
      `\nmedian intake alone ${Math.round(median(intake.alone))}/s, during deliveries ${Math.round(median(intake.during))}/s: ` +
        `${((ratio - 1) * 100).toFixed(1)} %`,
    );
    console.log(
      `median delivery of ${EVENTS.toLocaleString('en')} alone: ${median(rows.filter((r) => r.run === 'deliveries alone').map((r) => r.seconds)).toFixed(2)} s; duplicates ${state.duplicates}`,
    );
  } finally {
    await app.stop();
    await db.end();
    server.close();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
