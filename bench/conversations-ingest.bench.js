// Events processed from the inbox into conversations, messages, receipts, reactions and events.
//
// A realistic mix over 5,000 conversations on 3 Pages: each exchange is a customer message (some
// with an image or a quick reply), the Page's answer (echo), its delivery and read, and now and
// then a reaction, an edit or a postback; 64 exchanges are in progress at once, so a
// conversation's events are spread out as in real traffic.
//
// 1. Inbox load: events parsed and stored as pending straight into the inbox at BENCH_RATE
//    events/s for BENCH_DURATION s (a batch every 100 ms), as the intake stores them; the
//    service's sweeper (WEBHOOK_SWEEP_INTERVAL_MS=50) claims them and the handlers store them.
//    Reports the processing rate during the load, the backlog (stored, not yet processed) sampled
//    every 250 ms, and the time it takes to reach zero once the load stops.
// 2. Drain: BENCH_DRAIN events stored pending, released at once: the handlers' capacity.
// 3. End to end: the same mix POSTed as signed deliveries of 50 events at BENCH_POST_RATE
//    events/s, so the intake (parse, hash, durable store) shares the process and the database.
//
// BENCH_RULES=N (default 0) first creates N enabled survey rules on every Page, of each trigger in
// turn (conversation_idle, postback on the mix's MENU payload, thread_released), so that the
// handlers evaluate them on the processing path: `node bench/rules-overhead.bench.js` compares.
//
// Real PostgreSQL at 127.0.0.1:5432, a database of its own, dropped at the end.
const { createServer } = require('node:http');
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer, sign } = require('./lib');

const SECRET = 'bench-app-secret';
const RATE = Number(process.env.BENCH_RATE || 3500);
const DURATION = Number(process.env.BENCH_DURATION || 20);
const DRAIN = Number(process.env.BENCH_DRAIN || 60000);
const POST_RATE = Number(process.env.BENCH_POST_RATE || 2000);
const POST_DURATION = Number(process.env.BENCH_POST_DURATION || 10);
const RULES = Number(process.env.BENCH_RULES || 0);
const API_TOKEN = 'bench-api-token-0123456789';
const PER_DELIVERY = 50;
const USERS = 5000;
const PAGES = ['710000000000001', '710000000000002', '710000000000003'];

/** The events of one exchange: a customer message, the answer, its delivery and read, and extras. */
function exchange(prefix, turn, clock) {
  const user = `9${String(turn % USERS).padStart(14, '0')}`;
  const page = PAGES[turn % PAGES.length];
  let t = clock;
  const customer = (fields) => ({
    sender: { id: user },
    recipient: { id: page },
    timestamp: (t += 3),
    ...fields,
  });
  const inMid = `m_${prefix}_in_${turn}`;
  const outMid = `m_${prefix}_out_${turn}`;
  const message = { mid: inMid, text: `question ${turn}` };
  if (turn % 7 === 0)
    message.attachments = [{ type: 'image', payload: { url: `https://cdn.example/${turn}.jpg` } }];
  if (turn % 5 === 0) message.quick_reply = { payload: 'YES' };
  const events = [customer({ message })];
  const sentAt = (t += 3);
  events.push({
    sender: { id: page },
    recipient: { id: user },
    timestamp: sentAt,
    message: {
      mid: outMid,
      is_echo: true,
      app_id: 1517776481860111,
      metadata: 'bench',
      text: `answer ${turn}`,
    },
  });
  events.push(customer({ delivery: { mids: [outMid], watermark: sentAt } }));
  events.push(customer({ read: { watermark: sentAt } }));
  if (turn % 4 === 0)
    events.push(
      customer({
        reaction: { mid: outMid, action: 'react', reaction: 'love', emoji: '\u2764\uFE0F' },
      }),
    );
  if (turn % 10 === 0)
    events.push(customer({ message_edit: { mid: inMid, text: `question ${turn}!`, num_edit: 1 } }));
  if (turn % 20 === 0) events.push(customer({ postback: { title: 'Menu', payload: 'MENU' } }));
  return events.map((event) => ({ page, event }));
}

/** An endless stream of events: 64 exchanges in progress, each giving its next event in turn. */
function* eventStream(prefix, start) {
  const open = [];
  for (let turn = 0; ;) {
    for (; open.length < 64; turn++) open.push(exchange(prefix, turn, start + turn * 100));
    for (let i = open.length - 1; i >= 0; i--) {
      yield open[i].shift();
      if (open[i].length === 0) open.splice(i, 1);
    }
  }
}

function deliveryBody(stream, count) {
  const entries = [];
  for (let i = 0; i < count; i++) {
    const { page, event } = stream.next().value;
    entries.push({ id: page, time: Date.now(), messaging: [event] });
  }
  return JSON.stringify({ object: 'page', entry: entries });
}

/** Inbox rows for `count` events, parsed and keyed exactly as the intake does. */
function inboxRows(stream, count) {
  const { parseDelivery } = require(
    join(ROOT, 'dist', 'webhook', 'intake', 'messenger-event.parser'),
  );
  const events = parseDelivery(JSON.parse(deliveryBody(stream, count)));
  return {
    count: events.length,
    values: [
      events.map((e) => e.key),
      events.map((e) => e.kind),
      events.map((e) => e.context.pageId),
      events.map((e) => e.userId),
      events.map((e) => e.context.entryTime),
      events.map((e) => e.timestamp),
      events.map((e) => JSON.stringify(e.raw)),
    ],
  };
}

/** Stores rows as pending, due now or (held) in an hour. */
async function storePending(db, deliveryId, rows, held = false) {
  await db.query(
    `INSERT INTO webhook_events (delivery_id, dedupe_key, kind, object, source, page_id, user_id, entry_time,
                                 occurred_at, payload, status, next_attempt_at)
     SELECT $1, e.key, e.kind, 'page', 'messaging', e.page_id, e.user_id, e.entry_time,
            to_timestamp(e.ms / 1000.0), e.payload::jsonb, 'pending', now() + $9::interval
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::float8[], $8::text[])
          AS e(key, kind, page_id, user_id, entry_time, ms, payload)`,
    [deliveryId, ...rows.values, held ? '1 hour' : '0'],
  );
}

async function newDelivery(db) {
  const { rows } = await db.query(
    "INSERT INTO webhook_deliveries (object, body, event_count) VALUES ('page', '{}', 0) RETURNING id",
  );
  return rows[0].id;
}

async function counts(db) {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE status IN ('pending', 'failed'))::int AS backlog,
            count(*) FILTER (WHERE status = 'processed')::int AS processed
     FROM webhook_events`,
  );
  return rows[0];
}

async function backlog(db) {
  const { rows } = await db.query(
    "SELECT count(*)::int AS n FROM webhook_events WHERE status IN ('pending', 'failed')",
  );
  return rows[0].n;
}

async function untilEmpty(db, timeoutMs) {
  const started = Date.now();
  while ((await backlog(db)) > 0) {
    if (Date.now() - started > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** Runs `step(elapsedSeconds)` every `everyMs` for `seconds`, sampling the backlog meanwhile. */
async function underLoad(db, seconds, everyMs, step) {
  const samples = [];
  const started = Date.now();
  const before = await counts(db);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(await backlog(db));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  for (let tick = 0; ; tick++) {
    const elapsed = (Date.now() - started) / 1000;
    if (elapsed >= seconds) break;
    await step(elapsed);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, started + (tick + 1) * everyMs - Date.now())),
    );
  }
  const loadSeconds = (Date.now() - started) / 1000;
  const atStop = await counts(db);
  const msToZero = await untilEmpty(db, 120000);
  sampling = false;
  await sampler;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    processedPerSecDuringLoad: Math.round((atStop.processed - before.processed) / loadSeconds),
    backlogMedian: sorted[Math.floor(sorted.length / 2)] ?? 0,
    backlogMax: sorted.at(-1) ?? 0,
    backlogAtStop: atStop.backlog,
    msToZeroBacklogAfterStop: msToZero,
  };
}

async function inboxLoad(db) {
  const stream = eventStream('inbox', Date.UTC(2026, 9, 1));
  const perTick = Math.round(RATE / 10);
  const ticks = Math.ceil(DURATION * 10);
  // Parsed and hashed beforehand, so that the bench process does little during the load.
  const batches = Array.from({ length: ticks }, () => inboxRows(stream, perTick));
  const deliveryId = await newDelivery(db);
  let stored = 0;
  const started = Date.now();
  const result = await underLoad(db, DURATION, 100, async () => {
    const batch = batches.shift();
    if (batch === undefined) return;
    await storePending(db, deliveryId, batch);
    stored += batch.count;
  });
  return {
    storedPerSec: Math.round(
      stored / ((Date.now() - started) / 1000 - (result.msToZeroBacklogAfterStop ?? 0) / 1000),
    ),
    stored,
    ...result,
  };
}

// The drain's and the end-to-end phase's events are dated now, as live traffic is. Dated in the
// past, each exchange's conversation_idle decision (due 30 minutes after the Page's answer) would
// be due at once and the scheduler would work through them all during the measurement: that is
// bench/scheduler.bench.js's subject, not the processing path's.
async function drain(db) {
  const stream = eventStream('drain', Date.now());
  const deliveryId = await newDelivery(db);
  for (let done = 0; done < DRAIN; done += 5000) {
    await storePending(db, deliveryId, inboxRows(stream, Math.min(5000, DRAIN - done)), true);
  }
  await db.query('VACUUM ANALYZE webhook_events');
  const released = Date.now();
  await db.query("UPDATE webhook_events SET next_attempt_at = now() WHERE status = 'pending'");
  await untilEmpty(db, 300000);
  const seconds = (Date.now() - released) / 1000;
  return { events: DRAIN, seconds, eventsPerSec: Math.round(DRAIN / seconds) };
}

async function endToEnd(app, db) {
  const stream = eventStream('post', Date.now());
  let offered = 0;
  let failed = 0;
  const inFlight = new Set();
  const result = await underLoad(db, POST_DURATION, 10, (elapsed) => {
    while (offered + PER_DELIVERY <= POST_RATE * elapsed) {
      const body = deliveryBody(stream, PER_DELIVERY);
      offered += PER_DELIVERY;
      const request = fetch(`${app.base}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) },
        body,
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) failed += PER_DELIVERY;
        })
        .catch(() => (failed += PER_DELIVERY))
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  });
  await Promise.all(inFlight);
  return { offeredPerSec: Math.round(offered / POST_DURATION), notAcknowledged: failed, ...result };
}

/** A Graph API on loopback that accepts every send, for the surveys the rules send. */
async function fakeGraph() {
  let sent = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sent++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ recipient_id: '1', message_id: `m_bench_graph_${sent}` }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    sent: () => sent,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Enabled rules of each trigger in turn, on every Page (their sends go to no Graph API). */
async function createRules(app) {
  const triggers = [
    { type: 'conversation_idle', idleMinutes: 30 },
    { type: 'postback', payload: 'MENU' },
    { type: 'thread_released' },
  ];
  for (let i = 0; i < RULES; i++) {
    const res = await fetch(`${app.base}/api/survey-rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `bench rule ${i}`,
        enabled: true,
        pageIds: null,
        trigger: triggers[i % triggers.length],
        survey: { type: 'csat' },
        throttle: { perCustomerDays: 7 },
        sampleRate: 1,
        quietHours: null,
        useFeedbackTag: true,
      }),
    });
    if (res.status !== 201) throw new Error(`rule ${i}: ${res.status} ${await res.text()}`);
  }
}

async function main() {
  const database = await freshDatabase('bench_conversations_ingest');
  const graph = await fakeGraph();
  const app = await startServer(
    join(ROOT, 'dist', 'main.js'),
    {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_VERIFY_TOKEN: 'bench',
      API_TOKEN,
      PRIVACY_POLICY_URL: 'https://shop.example.com/privacy',
      GRAPH_API_URL: graph.url,
      MESSENGER_PAGE_ACCESS_TOKEN: 'bench-page-token',
      WEBHOOK_SWEEP_INTERVAL_MS: '50',
    },
    '/health',
    process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [],
  );
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    if (RULES > 0) {
      await createRules(app);
      console.log(`${RULES} enabled survey rules`);
    }
    if (DURATION > 0) {
      console.log(`1. inbox load: ${RATE} events/s stored pending for ${DURATION} s`);
      console.table([await inboxLoad(db)]);
    }
    if (DRAIN > 0) {
      console.log('2. drain of events stored pending, released at once');
      console.table([await drain(db)]);
    }
    if (POST_DURATION > 0) {
      console.log(
        `3. end to end: ${POST_RATE} events/s POSTed to /webhook (deliveries of ${PER_DELIVERY}) for ${POST_DURATION} s`,
      );
      console.table([await endToEnd(app, db)]);
    }
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM conversations)::int AS conversations,
              (SELECT count(*) FROM reaction_events)::int AS reactions, (SELECT count(*) FROM message_edits)::int AS edits,
              (SELECT count(*) FROM conversation_events)::int AS "conversationEvents",
              (SELECT count(*) FROM webhook_events WHERE status <> 'processed')::int AS "notProcessed"`,
    );
    console.log('stored in the end:');
    console.table(rows);
    if (RULES > 0) {
      const decisions = await db.query(
        'SELECT outcome, count(*)::int AS n FROM survey_decisions GROUP BY outcome ORDER BY outcome',
      );
      console.log(`rules' decisions (${graph.sent()} sends to the Graph API):`);
      console.table(decisions.rows);
    }
  } finally {
    await db.end();
    await app.stop();
    await graph.close();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
