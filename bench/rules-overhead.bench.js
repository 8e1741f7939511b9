// What survey rules cost the processing path (issue: at most 10 % fewer events/s with five rules).
//
// Runs bench/conversations-ingest.bench.js's drain (events stored pending, released at once: the
// handlers' capacity) and its end-to-end phase (signed deliveries POSTed to /webhook), with no
// rule and with BENCH_RULES enabled rules (default 5), alternately BENCH_ROUNDS times (default 3),
// each run on a fresh database and a fresh service, and prints the medians and their ratio.
//
//   npm run build && node bench/rules-overhead.bench.js
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const RULES = Number(process.env.BENCH_RULES || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const SCRIPT = join(__dirname, 'conversations-ingest.bench.js');

/** One run of the ingest bench; the figures of its drain and end-to-end tables. */
function run(rules) {
  const result = spawnSync(process.execPath, [SCRIPT], {
    env: {
      ...process.env,
      BENCH_RULES: String(rules),
      BENCH_DURATION: '0', // no inbox-load phase
      BENCH_DRAIN: process.env.BENCH_DRAIN || '30000',
      BENCH_POST_RATE: process.env.BENCH_POST_RATE || '3000',
      BENCH_POST_DURATION: process.env.BENCH_POST_DURATION || '10',
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`ingest bench failed:\n${result.stdout}\n${result.stderr}`);
  const out = result.stdout;
  // console.table rows: "│ 0 │ 30000 │ 12.3 │ 2439 │" — the drain's eventsPerSec is its last cell.
  const tables = out.split(/\n(?=\d\. )/);
  const cells = (title) => {
    const table = tables.find((t) => t.startsWith(title));
    const row = table?.split('\n').find((line) => /^│ 0 /.test(line));
    if (!row) throw new Error(`no "${title}" table in:\n${out}`);
    return row
      .split('│')
      .map((c) => c.trim())
      .filter(Boolean);
  };
  const drain = cells('2. drain');
  const post = cells('3. end to end');
  return {
    rules,
    drainEventsPerSec: Number(drain.at(-1)),
    // endToEnd columns: index, offeredPerSec, notAcknowledged, processedPerSecDuringLoad, ...
    processedPerSecDuringLoad: Number(post[3]),
    msToZeroBacklogAfterStop: Number(post.at(-1)),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const runs = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const rules of round % 2 ? [0, RULES] : [RULES, 0]) {
    const figures = run(rules);
    runs.push(figures);
    console.log(`round ${round}, ${rules} rules:`, JSON.stringify(figures));
  }
}
const summary = [0, RULES].map((rules) => {
  const mine = runs.filter((r) => r.rules === rules);
  return {
    rules,
    drainEventsPerSec: median(mine.map((r) => r.drainEventsPerSec)),
    endToEndProcessedPerSec: median(mine.map((r) => r.processedPerSecDuringLoad)),
  };
});
console.table(summary);
console.log(
  `with ${RULES} rules / without: drain ${(summary[1].drainEventsPerSec / summary[0].drainEventsPerSec).toFixed(3)}, ` +
    `end to end ${(summary[1].endToEndProcessedPerSec / summary[0].endToEndProcessedPerSec).toFixed(3)}`,
);
