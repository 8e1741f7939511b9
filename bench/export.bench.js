// npm run bench (or: npm run build && node bench/export.bench.js) — GET /api/exports/answers through
// the compiled service over HTTP: 100,000 answers (the baseline) and 1,000,000 answers of one Page
// each, CSV and NDJSON, each export in a freshly started service, with the service's peak resident
// memory (VmHWM in /proc/<pid>/status) before and after. Memory must not grow with the number of
// answers. Right before each export, PostgreSQL's own `COPY (SELECT ...) TO STDOUT` of the same
// rows (the export's query, CSV) through psql, read the same way: the floor of what the database
// and the loopback give on this machine in the same minute.
//
// Answers (a third of them with a survey, a fifth with a follow-up text) are generated with SQL into
// a dedicated database. The client reads the body as it arrives and keeps only its length and line
// count. Loopback only. Bounded: BENCH_EXPORT_SCALES (default 100000,1000000), BENCH_EXPORT_REPEAT
// runs of each (default 3), BENCH_EXPORT_FORMATS (default csv,ndjson).
// (bench/run-all.js runs every bench/*.bench.js, this one included.)
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, freshDatabase, startServer } = require('./lib');
const { migrate } = require('../dist/database/migrator');

const SCALES = (process.env.BENCH_EXPORT_SCALES || '100000,1000000').split(',').map(Number);
const FORMATS = (process.env.BENCH_EXPORT_FORMATS || 'csv,ndjson').split(',');
/**
 * Exports of each format and scale, each in a fresh service: peak memory varies with the GC, which
 * may let garbage pile up before it collects. So the largest scale runs once more in a service
 * whose V8 old space is capped at HEAP_CAP_MB: memory that grew with the count would not fit.
 */
const HEAP_CAP_MB = 64;
const REPEAT = Number(process.env.BENCH_EXPORT_REPEAT || 3);
const API_TOKEN = 'bench-api-token-0123456789';

/** Answers $2..$3 of Page $1, one a second from 2026-01-01; every third answers a survey. */
const LOAD = `
  WITH s AS (
    INSERT INTO surveys (page_id, recipient_id, type, question_id, status, message_id, messaging_type,
                         request, sent_at, expires_at, responded_at, responder_app_id)
    SELECT $1, 'u' || i, 'csat', 'csat', 'responded', 'm_' || $1 || '_' || i, 'RESPONSE', '{}'::jsonb,
           timestamptz '2026-01-01' + i * interval '1 second' - interval '1 minute',
           timestamptz '2026-01-02' + i * interval '1 second', timestamptz '2026-01-01' + i * interval '1 second',
           CASE WHEN i % 2 = 0 THEN '263902037430900' END
    FROM generate_series($2::int, $3::int) AS g(i) WHERE i % 3 = 0
    RETURNING id, recipient_id
  )
  INSERT INTO survey_answers (event_id, survey_id, page_id, user_id, question_id, type, payload, score,
                              valid, follow_up_text, submitted_at)
  SELECT md5($1 || i) || md5(i || $1), s.id, $1, 'u' || i, 'csat', 'csat', (1 + i % 5)::text, 1 + i % 5,
         true, CASE WHEN i % 5 = 0 THEN 'Said "thanks", then: =fine, with a line' || chr(10) || 'break 😀' END,
         timestamptz '2026-01-01' + i * interval '1 second'
  FROM generate_series($2::int, $3::int) AS g(i) LEFT JOIN s ON s.recipient_id = 'u' || i`;

function peakRssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
}

async function exportOnce(base, page, format) {
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/api/exports/answers?format=${format}&pageId=${page}`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  if (res.status !== 200) throw new Error(`export answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { bytes, lines, seconds };
}

/** The rows of the export (src/surveys/exports/), unformatted, for COPY: the floor. */
function copySql(page) {
  return `COPY (SELECT a.id::text AS id, a.survey_id::text AS "surveyId", a.page_id AS "pageId",
    a.user_id AS "userId", a.type, a.question_id AS "questionId", a.score, a.valid,
    a.follow_up_text AS "followUpText", a.submitted_at AS "submittedAt",
    s.sent_at AS "surveySentAt", s.rule_id AS "ruleId", s.responder_app_id AS "responderAppId"
    FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
    WHERE a.page_id = '${page}' ORDER BY a.id) TO STDOUT WITH (FORMAT csv, HEADER)`;
}

/** psql running COPY ... TO STDOUT, its output read as it arrives (bytes and records counted). */
function copyOnce(url, page) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', copySql(page)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let bytes = 0;
    let lines = 0;
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`psql COPY exited with ${code}`));
      resolve({ bytes, lines, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

async function main() {
  const database = await freshDatabase('bench_export');
  await migrate(database.url);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const rows = [];
  try {
    for (const scale of SCALES) {
      const page = `PAGE_${scale}`;
      const started = Date.now();
      await db.query(LOAD, [page, 1, scale]);
      await db.query('ANALYZE');
      console.log(
        `${scale.toLocaleString('en')} answers of ${page} loaded in ${Date.now() - started} ms`,
      );
    }
    for (const format of FORMATS) {
      const runs = SCALES.flatMap((n) => Array(REPEAT).fill({ scale: n, cap: null }));
      runs.push({ scale: Math.max(...SCALES), cap: HEAP_CAP_MB });
      for (const { scale, cap } of runs) {
        const app = await startServer(
          join(ROOT, 'dist', 'main.js'),
          {
            NODE_ENV: 'production',
            DATABASE_URL: database.url,
            MESSENGER_APP_SECRET: 'bench-app-secret',
            MESSENGER_VERIFY_TOKEN: 'bench',
            API_TOKEN,
            // On a machine too loaded for the first fetch within the default 5 s.
            ...(process.env.BENCH_DATABASE_TIMEOUT_MS
              ? { DATABASE_TIMEOUT_MS: process.env.BENCH_DATABASE_TIMEOUT_MS }
              : {}),
          },
          '/health',
          cap === null ? [] : [`--max-old-space-size=${cap}`],
        );
        try {
          // The same rows through COPY, just before (the service is started and idle).
          const copy = await copyOnce(database.url, `PAGE_${scale}`);
          // Warm-up: a small export, so that code and connections are loaded before the baseline.
          await exportOnce(app.base, 'NO_SUCH_PAGE', format);
          const before = peakRssKb(app.pid);
          const result = await exportOnce(app.base, `PAGE_${scale}`, format);
          const after = peakRssKb(app.pid);
          // Every answer, once: NDJSON a line each; CSV a header and a record each, a fifth of
          // them holding a line break.
          const expected = format === 'ndjson' ? scale : scale + 1 + Math.floor(scale / 5);
          if (result.lines !== expected)
            throw new Error(`${format} export of ${scale}: ${result.lines} lines, not ${expected}`);
          rows.push({ format, scale, cap, before, after, copy, ...result });
          console.log(
            `${format} ${scale.toLocaleString('en')}${cap === null ? '' : ` (old space ${cap} MB)`}: ${result.lines.toLocaleString('en')} lines, ` +
              `${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(2)} s; ` +
              `peak RSS ${(before / 1024).toFixed(0)} → ${(after / 1024).toFixed(0)} MiB; ` +
              `COPY ${(copy.bytes / 1e6).toFixed(1)} MB in ${copy.seconds.toFixed(2)} s (${Math.round(scale / copy.seconds).toLocaleString('en')} rows/s)`,
          );
        } finally {
          await app.stop();
        }
      }
    }
  } finally {
    await db.end();
    if (!process.env.BENCH_KEEP_DB) await database.drop();
  }
  console.log(
    '\n| format | answers | V8 old space | size | time | answers/s | peak RSS before → after export (MiB) | COPY time | COPY rows/s | export / COPY |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.format} | ${r.scale.toLocaleString('en')} | ${r.cap === null ? 'default' : `${r.cap} MB`} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.seconds.toFixed(2)} s | ${Math.round(r.scale / r.seconds).toLocaleString('en')} | ${(r.before / 1024).toFixed(0)} → ${(r.after / 1024).toFixed(0)} | ${r.copy.seconds.toFixed(2)} s | ${Math.round(r.scale / r.copy.seconds).toLocaleString('en')} | ${(r.copy.seconds / r.seconds).toFixed(2)} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
