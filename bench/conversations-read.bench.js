// GET /api/conversations/{pageId}/{userId}/messages on a conversation of 10,000 messages, in a
// database of 1,000,000 messages (99,000 other conversations of 10), pages of 50 at random
// positions: latency one request at a time (p50/p90/p99) and throughput with 10 connections.
// Also the conversation list and one message. Messages carry edits, reactions, receipts and
// replies like real ones, so that the page query does all its joins.
//
// Real PostgreSQL at 127.0.0.1:5432, a database of its own (bulk-filled with generate_series),
// dropped at the end. The compiled service runs as a child process.
const { join } = require('node:path');
const { Client } = require('pg');
const autocannon = require('autocannon');
const { ROOT, freshDatabase, startServer } = require('./lib');

const TOKEN = 'bench-api-token-0123456789';
const PAGE = '720000000000001';
const BIG = '920000000000000';
const BIG_COUNT = 10000;
const OTHERS = 99000;
const PER_OTHER = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS || 2000);
const DURATION = Number(process.env.BENCH_DURATION || 10);

async function fill(db) {
  const t0 = Date.now();
  await db.query(`INSERT INTO pages (id) VALUES ('${PAGE}')`);
  // The big conversation: customer and Page in turn, a second apart.
  await db.query(`
    INSERT INTO messages (mid, page_id, user_id, direction, sent_at, text, reply_to_mid, attachments,
                          app_id, delivered_at, read_at)
    SELECT 'm_big_' || lpad(n::text, 5, '0'), '${PAGE}', '${BIG}',
           (CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END)::"MessageDirection",
           timestamptz '2026-01-01' + n * interval '1 second', 'message number ' || n,
           CASE WHEN n % 20 = 0 AND n > 0 THEN 'm_big_' || lpad((n - 1)::text, 5, '0') END,
           CASE WHEN n % 10 = 0
                THEN jsonb_build_array(jsonb_build_object('type', 'image', 'url', 'https://cdn.example/' || n || '.jpg',
                       'title', null, 'stickerId', null, 'coordinates', null, 'product', null, 'payload', null))
                ELSE '[]'::jsonb END,
           CASE WHEN n % 2 = 1 THEN '1517776481860111' END,
           CASE WHEN n % 2 = 1 THEN timestamptz '2026-01-01' + (n + 1) * interval '1 second' END,
           CASE WHEN n % 2 = 1 AND n < ${BIG_COUNT - 10} THEN timestamptz '2026-01-01' + (n + 2) * interval '1 second' END
    FROM generate_series(0, ${BIG_COUNT - 1}) AS n`);
  // 99,000 other conversations of 10 messages: 990,000 more.
  await db.query(`
    INSERT INTO messages (mid, page_id, user_id, direction, sent_at, text, attachments, delivered_at)
    SELECT 'm_' || n, '${PAGE}', (930000000000000 + n / ${PER_OTHER})::text,
           (CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END)::"MessageDirection",
           timestamptz '2026-02-01' + n * interval '10 milliseconds', 'hello ' || n, '[]'::jsonb,
           CASE WHEN n % 2 = 1 THEN timestamptz '2026-02-01' + n * interval '10 milliseconds' END
    FROM generate_series(0, ${OTHERS * PER_OTHER - 1}) AS n`);
  await db.query(`
    INSERT INTO message_edits (mid, num_edit, text, edited_at)
    SELECT 'm_big_' || lpad(n::text, 5, '0'), e, 'edited ' || e, timestamptz '2026-01-02' + n * interval '1 second'
    FROM generate_series(0, ${BIG_COUNT - 1}, 25) AS n, generate_series(1, 2) AS e`);
  await db.query(`
    INSERT INTO message_reactions (mid, user_id, action, reaction, emoji, reacted_at)
    SELECT 'm_big_' || lpad(n::text, 5, '0'), '${BIG}', 'react', 'love', '❤️', timestamptz '2026-01-03' + n * interval '1 second'
    FROM generate_series(1, ${BIG_COUNT - 1}, 6) AS n`);
  await db.query(`
    INSERT INTO reaction_events (event_id, mid, page_id, user_id, action, reaction, emoji, at)
    SELECT md5(n::text) || md5((n + 1)::text), 'm_big_' || lpad(n::text, 5, '0'), '${PAGE}', '${BIG}', 'react', 'love', '❤️',
           timestamptz '2026-01-03' + n * interval '1 second'
    FROM generate_series(1, ${BIG_COUNT - 1}, 6) AS n`);
  await db.query(`
    INSERT INTO message_receipts (mid, kind, at)
    SELECT 'm_big_' || lpad(n::text, 5, '0'), 'delivery', timestamptz '2026-01-01' + (n + 1) * interval '1 second'
    FROM generate_series(1, ${BIG_COUNT - 1}, 4) AS n`);
  await db.query(`
    INSERT INTO response_feedback (page_id, user_id, mid, feedback, event_id, occurred_at)
    SELECT '${PAGE}', '${BIG}', 'm_big_' || lpad(n::text, 5, '0'), CASE WHEN n % 3 = 0 THEN 'bad' ELSE 'good' END,
           md5(n::text) || md5((n + 2)::text), timestamptz '2026-01-04' + n * interval '1 second'
    FROM generate_series(1, ${BIG_COUNT - 1}, 10) AS n`);
  await db.query(`
    INSERT INTO conversations (page_id, user_id, last_message_at, last_inbound_at, message_count,
                               delivered_watermark, read_watermark)
    SELECT page_id, user_id, max(sent_at), max(sent_at) FILTER (WHERE direction = 'inbound'), count(*),
           max(delivered_at), max(read_at)
    FROM messages GROUP BY page_id, user_id`);
  await db.query('VACUUM ANALYZE');
  const { rows } = await db.query('SELECT count(*)::int AS n FROM messages');
  return { messages: rows[0].n, seconds: (Date.now() - t0) / 1000 };
}

async function get(base, path) {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.json();
  if (res.status !== 200)
    throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Sequential GETs of the given paths (one at a time): latency percentiles in ms. */
async function latency(base, paths) {
  const times = [];
  for (const path of paths) {
    const started = process.hrtime.bigint();
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 100) / 100;
  return { requests: times.length, p50ms: at(0.5), p90ms: at(0.9), p99ms: at(0.99) };
}

function throughput(base, paths) {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections: 10,
        duration: DURATION,
        headers: { authorization: `Bearer ${TOKEN}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
      },
      (error, r) =>
        error
          ? reject(error)
          : resolve({
              requestsPerSec: Math.round(r.requests.average),
              p50ms: r.latency.p50,
              p99ms: r.latency.p99,
              non2xx: r.non2xx,
            }),
    );
  });
}

const pick = (list, n) =>
  Array.from({ length: n }, () => list[Math.floor(Math.random() * list.length)]);

async function main() {
  const database = await freshDatabase('bench_conversations_read');
  const { migrate } = require(join(ROOT, 'dist', 'database', 'migrator'));
  await migrate(database.url);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  let app;
  try {
    console.log('bulk fill:');
    console.table([await fill(db)]);
    app = await startServer(join(ROOT, 'dist', 'main.js'), {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      MESSENGER_APP_SECRET: 'bench-app-secret',
      MESSENGER_VERIFY_TOKEN: 'bench',
      API_TOKEN: TOKEN,
    });
    // Every page of the big conversation, in order: the cursors of random positions.
    const pages = [];
    const mids = [];
    let cursor = null;
    do {
      const path = `/api/conversations/${PAGE}/${BIG}/messages?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await get(app.base, path);
      pages.push(path);
      mids.push(...body.items.map((item) => item.mid));
      cursor = body.nextCursor;
    } while (cursor !== null);
    if (mids.length !== BIG_COUNT || new Set(mids).size !== BIG_COUNT)
      throw new Error(`paged ${mids.length} messages`);
    const others = Array.from(
      { length: 500 },
      (_, i) => `/api/conversations/${PAGE}/${930000000000000 + i * 197}/messages?limit=50`,
    );
    await latency(app.base, pick(pages, 200)); // warm-up
    const rows = [
      {
        route: 'messages, 10,000-message conversation, page of 50 at a random position',
        ...(await latency(app.base, pick(pages, REQUESTS))),
      },
      {
        route: 'messages, first page of 50 of the 10,000',
        ...(await latency(app.base, Array(REQUESTS / 4).fill(pages[0]))),
      },
      {
        route: 'messages, 10-message conversations',
        ...(await latency(app.base, pick(others, REQUESTS / 4))),
      },
      {
        route: 'GET /api/conversations?limit=50 (100,000 conversations)',
        ...(await latency(
          app.base,
          Array(REQUESTS / 4).fill(`/api/conversations?pageId=${PAGE}&limit=50`),
        )),
      },
      {
        route: 'GET /api/messages/{mid}',
        ...(await latency(
          app.base,
          pick(mids, REQUESTS / 4).map((mid) => `/api/messages/${mid}`),
        )),
      },
    ];
    console.log('one request at a time:');
    console.table(rows);
    console.log(
      `10 connections, ${DURATION} s, random pages of 50 of the 10,000-message conversation:`,
    );
    console.table([await throughput(app.base, pick(pages, 5000))]);
    const plan = await db.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
       SELECT m.mid FROM messages m WHERE m.page_id = $1 AND m.user_id = $2
         AND (m.sent_at, m.mid) > ($3::timestamptz, $4) ORDER BY m.sent_at, m.mid LIMIT 51`,
      [PAGE, BIG, '2026-01-01T01:23:20Z', 'm_big_05000'],
    );
    const [{ Plan, 'Execution Time': executionMs, 'Planning Time': planningMs }] =
      plan.rows[0]['QUERY PLAN'];
    console.log(
      `keyset scan of a deep page: ${Plan.Plans?.[0]?.['Node Type'] ?? Plan['Node Type']}, planning ${planningMs} ms, execution ${executionMs} ms`,
    );
  } finally {
    await db.end();
    if (app) await app.stop();
    if (!process.env.BENCH_KEEP) await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
