// npm run bench (or: npm run build && node bench/scores.bench.js) — latency of GET /api/scores and
// of a daily trend through the compiled service over HTTP, with 1,000,000 and then 10,000,000
// answers spread over a year and 10 Pages, each beside the plain SQL aggregate over the raw answers
// that gives the same counts, measured in the same run, interleaved request by request.
//
// Answers, surveys and their daily rollups are generated with SQL (generate_series) into a
// dedicated database; the rollups are built exactly as the write path keeps them. Loopback only.
// Bounded: BENCH_SCORES_SCALES (default 1000000,10000000), BENCH_DURATION seconds per figure
// (default 10). BENCH_KEEP_DB=1 keeps the database (bench_surveys) afterwards.
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer } = require('./lib');
const { migrate } = require('../dist/database/migrator');
const { DAILY, HOURLY } = require('../dist/surveys/rollup-grains');

const SCALES = (process.env.BENCH_SCORES_SCALES || '1000000,10000000').split(',').map(Number);
const DURATION = Number(process.env.BENCH_DURATION || 10);
const API_TOKEN = 'bench-api-token-0123456789';
const PAGES = Array.from({ length: 10 }, (_, i) => String(1000000001 + i));
const DAY = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------- data

/**
 * Row i of a load of rows $4..$5 is written at its share of the year ending at $3 (minus up to a
 * minute of jitter): rows are stored in about the order they happen, as the service stores them.
 */
const AT = `$3::timestamptz - interval '365 days' * (1 - (i - $4)::float8 / ($5 - $4 + 1)) - random() * interval '1 minute'`;

/** The survey of row i (deterministic, so that answer i can name the survey it answered). */
const SURVEY_ID = `md5('survey ' || i)::uuid`;

/**
 * Answers $1..$2: a third of each type, 1 % out of range, 10 % with a comment. Answer i answered
 * survey i when that survey is `responded` (as the write path links them), else none.
 */
const ANSWERS = `
  INSERT INTO survey_answers (event_id, survey_id, page_id, user_id, question_id, type, payload, score,
                              valid, follow_up_text, submitted_at)
  SELECT lpad(to_hex(i), 64, '0'),
         CASE WHEN valid AND i % 50 <> 0 AND i % 5 < 3 THEN ${SURVEY_ID} END,
         page_id, user_id, type, type, score::text, score, valid,
         CASE WHEN i % 10 = 0 THEN 'comment ' || i END, at
  FROM (
    SELECT i, (1000000001 + i % 10)::text AS page_id,
           (100000000 + (i::bigint * 7919) % 5000000)::text AS user_id,
           (ARRAY['csat', 'nps', 'ces'])[1 + i % 3] AS type,
           CASE WHEN i % 100 = 7 THEN 99 ELSE CASE i % 3
             WHEN 0 THEN 1 + floor(random() * 5) WHEN 1 THEN floor(random() * 11) ELSE 1 + floor(random() * 7)
           END END::int AS score,
           i % 100 <> 7 AS valid,
           ${AT} AS at
    FROM generate_series($1::int, $2::int) AS g(i)
  ) answers`;

/**
 * As many surveys ($1..$2): 60 % responded, 2 % failed, the rest expired (or still open on the last
 * day). Who handled the conversation before each: one of three apps, or nobody known (a quarter);
 * a third sent by one of 5 automation rules, the rest by hand.
 */
const SURVEYS = `
  INSERT INTO surveys (id, page_id, recipient_id, type, question_id, status, message_id, messaging_type,
                       request, sent_at, expires_at, responded_at, responder_app_id, rule_id)
  SELECT ${SURVEY_ID}, page_id, user_id, type, type,
         (CASE WHEN status = 'expired' AND at + interval '1 day' > $3::timestamptz THEN 'sent' ELSE status END)::"SurveyStatus",
         CASE WHEN status <> 'failed' THEN 'm_' || i END, 'RESPONSE', '{}'::jsonb,
         at, at + interval '1 day', CASE WHEN status = 'responded' THEN at + interval '1 hour' END,
         (ARRAY[NULL, '263902037430900', '1217981644879628', '516340188508214'])[1 + i % 4],
         CASE WHEN i % 3 = 0 THEN 'rule_' || (i % 5) END
  FROM (
    SELECT i, (1000000001 + i % 10)::text AS page_id,
           (100000000 + (i::bigint * 7919) % 5000000)::text AS user_id,
           (ARRAY['csat', 'nps', 'ces'])[1 + i % 3] AS type,
           CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 5 < 3 THEN 'responded' ELSE 'expired' END AS status,
           ${AT} AS at
    FROM generate_series($1::int, $2::int) AS g(i)
  ) surveys`;

/**
 * The rollups at both grains (days, hours), as the write path maintains them (valid answers only;
 * surveys by time sent; rows in the order of time, as the write path fills them): the origin rollups with the write path's GROUP BY (the migration's
 * backfill, with the responder and rule of the survey answered instead of its '' for answers older
 * than those columns).
 */
const ROLLUPS = [
  'TRUNCATE score_daily, survey_daily, score_daily_origin, score_hourly, survey_hourly, score_hourly_origin',
  ...[DAILY, HOURLY].flatMap((g) => [
    `INSERT INTO ${g.table('score_daily')} (page_id, question_id, type, ${g.column}, score, count)
     SELECT page_id, question_id, type, ${g.bucketOf('submitted_at')}, score, count(*)
     FROM survey_answers WHERE valid GROUP BY 1, 2, 3, 4, 5 ORDER BY 4`,
    `INSERT INTO ${g.table('score_daily_origin')} (page_id, question_id, type, ${g.column}, responder, rule, score, count)
     SELECT a.page_id, a.question_id, a.type, ${g.bucketOf('a.submitted_at')},
            coalesce(s.responder_app_id, ''), coalesce(s.rule_id, ''), a.score, count(*)::int
     FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
     WHERE a.valid GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 4`,
    `INSERT INTO ${g.table('survey_daily')} (page_id, question_id, type, ${g.column}, sent, responded, expired, failed)
     SELECT page_id, question_id, type, ${g.bucketOf('sent_at')},
            count(*) FILTER (WHERE status <> 'failed'), count(*) FILTER (WHERE status = 'responded'),
            count(*) FILTER (WHERE status = 'expired'), count(*) FILTER (WHERE status = 'failed')
     FROM surveys GROUP BY 1, 2, 3, 4 ORDER BY 4`,
  ]),
];

/**
 * Adds answers and surveys up to `to` rows each. Secondary indexes are dropped during the load and
 * built again after it (a sort is far faster than 10 million random index inserts); the primary
 * keys stay.
 */
async function load(db, from, to, now) {
  const { rows: indexes } = await db.query(
    `SELECT indexname, indexdef FROM pg_indexes
     WHERE tablename IN ('survey_answers', 'surveys') AND indexname NOT LIKE '%_pkey'`,
  );
  await db.query('SET synchronous_commit = off');
  await db.query("SET maintenance_work_mem = '512MB'");
  await db.query("SET work_mem = '256MB'"); // the rollups' joins and GROUP BYs in memory
  for (const { indexname } of indexes) await db.query(`DROP INDEX "${indexname}"`);
  await db.query('SELECT setseed($1)', [from / (to + 1)]);
  const chunk = 1_000_000;
  for (let lo = from; lo <= to; lo += chunk) {
    const hi = Math.min(to, lo + chunk - 1);
    // Surveys first: answers name them (foreign key).
    await db.query(SURVEYS, [lo, hi, now, from, to]);
    await db.query(ANSWERS, [lo, hi, now, from, to]);
    process.stdout.write(`  loaded ${hi.toLocaleString('en')} answers and surveys\r`);
  }
  process.stdout.write('\n');
  for (const { indexdef } of indexes) await db.query(indexdef);
  // Statistics first: without them the planner sorts the rollups' GROUP BY instead of hashing.
  await db.query('ANALYZE survey_answers');
  await db.query('ANALYZE surveys');
  // One transaction: TRUNCATE holds the rollups until the commit, so that the running service
  // (its expiry job counts into survey_daily) cannot write a row in between.
  await db.query('BEGIN');
  for (const sql of ROLLUPS) await db.query(sql);
  await db.query('COMMIT');
  await db.query('VACUUM ANALYZE survey_answers');
  await db.query('VACUUM ANALYZE surveys');
  for (const daily of ['score_daily', 'survey_daily', 'score_daily_origin']) {
    for (const grain of [DAILY, HOURLY]) await db.query(`ANALYZE ${grain.table(daily)}`);
  }
}

// -------------------------------------------------------------------------------- measurements

function summarise(times) {
  const sorted = [...times].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}

/**
 * Interleaved, one request at a time (a client waiting for each answer): every scenario in turn,
 * one Page after the other, until each has had its DURATION seconds. Interleaving spreads any
 * noise of the machine evenly over the scenarios being compared.
 */
async function measure(scenarios, run, { budgetMs, maxSamples }) {
  const samples = scenarios.map(() => []);
  const deadline = Date.now() + budgetMs * scenarios.length;
  for (let i = 0; Date.now() < deadline && samples[0].length < maxSamples; i++) {
    for (const [k, scenario] of scenarios.entries()) {
      const started = process.hrtime.bigint();
      await run(scenario, i);
      samples[k].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return samples.map(summarise);
}

async function httpGet(base, path) {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
}

const iso = (ms) => new Date(ms).toISOString();
const isoDay = (ms) => iso(ms).slice(0, 10);

/** Each figure: the HTTP paths (one per Page) and the plain SQL over the raw answers. */
function scenarios(now) {
  const from90 = now - 90 * DAY;
  const fromYear = now - 365 * DAY;
  const scoresSql = (page, from, to) => ({
    text: `SELECT type, score, count(*) FROM survey_answers
           WHERE page_id = $1 AND valid AND submitted_at >= $2 AND submitted_at < $3
           GROUP BY type, score`,
    values: [page, from, to],
  });
  const trendSql = (page, from, to) => ({
    text: `SELECT date_trunc('day', submitted_at AT TIME ZONE 'UTC') AS period, score, count(*)
           FROM survey_answers
           WHERE ${page ? 'page_id = $3 AND ' : ''}type = 'csat' AND valid AND submitted_at >= $1 AND submitted_at < $2
           GROUP BY 1, 2`,
    values: page ? [from, to, page] : [from, to],
  });
  const compareSql = (page, from, to) => ({
    // Both periods in one scan: [from - (to - from), from) and [from, to).
    text: `SELECT submitted_at >= $2 AS current, type, score, count(*) FROM survey_answers
           WHERE page_id = $1 AND valid AND submitted_at >= $2::timestamptz - ($3::timestamptz - $2::timestamptz)
             AND submitted_at < $3
           GROUP BY 1, 2, 3`,
    values: [page, from, to],
  });
  const breakdownSql = (key, page, from, to) => ({
    text: `SELECT ${key} AS key, a.score, count(*) FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
           WHERE a.type = 'csat' AND a.valid AND a.submitted_at >= $1 AND a.submitted_at < $2
             ${page ? 'AND a.page_id = $3' : ''}
           GROUP BY 1, 2`,
    values: page ? [from, to, page] : [from, to],
  });
  const dayFrom90 = Date.parse(isoDay(from90));
  const dayTo = Date.parse(isoDay(now));
  return [
    {
      name: 'GET /api/scores?compare=previous, one Page, last 90 days and the 90 before',
      paths: PAGES.map(
        (p) => `/api/scores?pageId=${p}&compare=previous&from=${iso(from90)}&to=${iso(now)}`,
      ),
      sql: PAGES.map((p) => compareSql(p, iso(from90), iso(now))),
      target: 20,
    },
    {
      name: 'GET /api/scores?compare=previous, all Pages, default (last 30 days and the 30 before)',
      paths: ['/api/scores?compare=previous'],
      sql: [
        {
          text: `SELECT submitted_at >= $1 AS current, type, score, count(*) FROM survey_answers
                 WHERE valid AND submitted_at >= $1::timestamptz - interval '30 days' AND submitted_at < $2
                 GROUP BY 1, 2, 3`,
          values: [iso(now - 30 * DAY), iso(now)],
        },
      ],
      target: 20,
    },
    {
      name: 'GET /api/scores/breakdown?by=responder&type=csat, all Pages, last 90 days',
      paths: [`/api/scores/breakdown?by=responder&type=csat&from=${iso(from90)}&to=${iso(now)}`],
      sql: [breakdownSql("coalesce(s.responder_app_id, '')", null, iso(from90), iso(now))],
      target: 20,
    },
    {
      name: 'GET /api/scores/breakdown?by=rule&type=csat, one Page, last 90 days',
      paths: PAGES.map(
        (p) =>
          `/api/scores/breakdown?by=rule&type=csat&pageId=${p}&from=${iso(from90)}&to=${iso(now)}`,
      ),
      sql: PAGES.map((p) => breakdownSql("coalesce(s.rule_id, '')", p, iso(from90), iso(now))),
      target: 20,
    },
    {
      name: 'GET /api/scores/breakdown?by=page&type=csat, all Pages, last 90 days',
      paths: [`/api/scores/breakdown?by=page&type=csat&from=${iso(from90)}&to=${iso(now)}`],
      sql: [breakdownSql('a.page_id', null, iso(from90), iso(now))],
      target: 20,
    },
    {
      name: 'GET /api/scores, one Page, last 90 days (partial first and last day)',
      paths: PAGES.map((p) => `/api/scores?pageId=${p}&from=${iso(from90)}&to=${iso(now)}`),
      sql: PAGES.map((p) => scoresSql(p, iso(from90), iso(now))),
      target: 20,
    },
    {
      name: 'GET /api/scores, one Page, 90 whole days',
      paths: PAGES.map(
        (p) => `/api/scores?pageId=${p}&from=${isoDay(dayFrom90)}&to=${isoDay(dayTo)}`,
      ),
      sql: PAGES.map((p) => scoresSql(p, iso(dayFrom90), iso(dayTo))),
      target: 20,
    },
    {
      name: 'GET /api/scores/csat/trend?interval=day, one Page, last 365 days',
      paths: PAGES.map(
        (p) =>
          `/api/scores/csat/trend?interval=day&pageId=${p}&from=${iso(fromYear)}&to=${iso(now)}`,
      ),
      sql: PAGES.map((p) => trendSql(p, iso(fromYear), iso(now))),
      target: 50,
    },
    {
      name: 'GET /api/scores/csat/trend?interval=day, all 10 Pages, last 365 days',
      paths: [`/api/scores/csat/trend?interval=day&from=${iso(fromYear)}&to=${iso(now)}`],
      sql: [trendSql(null, iso(fromYear), iso(now))],
      target: 50,
    },
  ];
}

/** The API and the plain SQL must agree, or the figures compare different things. */
async function checkAgreement(base, db, now) {
  const page = PAGES[3];
  const from = iso(now - 90 * DAY);
  const to = iso(now);
  const res = await fetch(`${base}/api/scores?pageId=${page}&from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  const api = await res.json();
  const { rows } = await db.query(
    `SELECT type, count(*)::int AS n FROM survey_answers
     WHERE page_id = $1 AND valid AND submitted_at >= $2 AND submitted_at < $3 GROUP BY type`,
    [page, from, to],
  );
  for (const { type, n } of rows) {
    if (api[type].responses !== n) throw new Error(`API ${type} ${api[type].responses} ≠ SQL ${n}`);
  }
  const { rows: surveys } = await db.query(
    `SELECT count(*) FILTER (WHERE status <> 'failed')::int AS sent FROM surveys
     WHERE page_id = $1 AND sent_at >= $2 AND sent_at < $3`,
    [page, from, to],
  );
  if (api.surveys.sent !== surveys[0].sent) throw new Error('survey counts disagree');
  // The breakdown by responder (from score_daily_origin) against the raw answers and their surveys.
  const breakdown = await (
    await fetch(`${base}/api/scores/breakdown?by=responder&type=csat&from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    })
  ).json();
  const { rows: byResponder } = await db.query(
    `SELECT coalesce(s.responder_app_id, 'unknown') AS key, count(*)::int AS n
     FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
     WHERE a.type = 'csat' AND a.valid AND a.submitted_at >= $1 AND a.submitted_at < $2 GROUP BY 1`,
    [from, to],
  );
  if (byResponder.length !== breakdown.items.length) throw new Error('breakdown keys disagree');
  for (const { key, n } of byResponder) {
    const item = breakdown.items.find((x) => x.key === key);
    if (item?.responses !== n)
      throw new Error(`breakdown ${key}: API ${item?.responses} ≠ SQL ${n}`);
  }
  return rows.reduce((sum, row) => sum + row.n, 0);
}

// ------------------------------------------------------------------------------------------ main

async function main() {
  const database = await freshDatabase('bench_surveys');
  await migrate(database.url);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const now = Date.now();
  const app = await startServer(join(ROOT, 'dist', 'main.js'), {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    MESSENGER_APP_SECRET: 'bench-app-secret',
    MESSENGER_VERIFY_TOKEN: 'bench',
    API_TOKEN,
  });
  const results = [];
  try {
    let loaded = 0;
    for (const scale of SCALES) {
      const started = Date.now();
      await load(db, loaded + 1, scale, iso(now));
      loaded = scale;
      const loadSeconds = Math.round((Date.now() - started) / 1000);
      const inRange = await checkAgreement(app.base, db, now);
      const { rows } = await db.query(
        'SELECT (SELECT count(*) FROM score_daily)::int AS s, (SELECT count(*) FROM survey_daily)::int AS d',
      );
      console.log(
        `${scale.toLocaleString('en')} answers loaded in ${loadSeconds} s; score_daily ${rows[0].s} rows, survey_daily ${rows[0].d} rows; ` +
          `${inRange.toLocaleString('en')} valid answers of one Page in 90 days, API and SQL agree`,
      );
      const list = scenarios(now);
      // Warm-up: plans, caches and connections.
      await measure(list, (sc, i) => httpGet(app.base, sc.paths[i % sc.paths.length]), {
        budgetMs: 1000,
        maxSamples: 20,
      });
      const http = await measure(
        list,
        (sc, i) => httpGet(app.base, sc.paths[i % sc.paths.length]),
        {
          budgetMs: DURATION * 1000,
          maxSamples: 100_000,
        },
      );
      const sql = await measure(
        list,
        async (sc, i) => {
          const { text, values } = sc.sql[i % sc.sql.length];
          await db.query(text, values);
        },
        { budgetMs: DURATION * 1000, maxSamples: 200 },
      );
      list.forEach((scenario, k) => {
        results.push({
          scale,
          scenario: scenario.name,
          target: scenario.target,
          http: http[k],
          sql: sql[k],
        });
        console.log(
          `  ${scenario.name}: API p50 ${http[k].p50.toFixed(1)} ms p99 ${http[k].p99.toFixed(1)} ms (${http[k].count} requests); ` +
            `plain SQL p50 ${sql[k].p50.toFixed(1)} ms p99 ${sql[k].p99.toFixed(1)} ms (${sql[k].count} runs)`,
        );
      });
    }
  } finally {
    await app.stop();
    await db.end();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }

  console.log(
    '\n| answers | request | target p50 | API p50 / p99 (ms) | plain SQL over raw answers p50 / p99 (ms) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.scale.toLocaleString('en')} | ${r.scenario} | < ${r.target} ms | ${r.http.p50.toFixed(1)} / ${r.http.p99.toFixed(1)} | ${r.sql.p50.toFixed(1)} / ${r.sql.p99.toFixed(1)} |`,
    );
  }
  const first = SCALES[0];
  const last = SCALES[SCALES.length - 1];
  if (first !== last) {
    console.log(
      `\nGrowth ${last.toLocaleString('en')} vs ${first.toLocaleString('en')} answers (API p50, must stay within 2×):`,
    );
    for (const r of results.filter((x) => x.scale === last)) {
      const base = results.find((x) => x.scale === first && x.scenario === r.scenario);
      console.log(
        `- ${r.scenario}: ${(r.http.p50 / base.http.p50).toFixed(2)}× (plain SQL ${(r.sql.p50 / base.sql.p50).toFixed(1)}×)`,
      );
    }
  }
}

// The dashboard's benchmark loads the same answers (bench/dashboard.bench.js).
module.exports = { load };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
