// Shared helpers of the benchmarks: a database per run, the compiled service as a child process,
// autocannon, and signed Messenger deliveries. Loopback only; every run is bounded in time.
const { execFileSync, spawn } = require('node:child_process');
const { createHmac } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { Client } = require('pg');
const autocannon = require('autocannon');

const ROOT = join(__dirname, '..');
/** Clock ticks per second, the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();
const PG = process.env.BENCH_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

function dbUrl(name) {
  const url = new URL(PG);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql) {
  const client = new Client({ connectionString: PG });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function freshDatabase(name) {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  return { url: dbUrl(name), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <script>` with env and waits for GET <readyPath> to answer 200. */
async function startServer(script, env, readyPath = '/health', nodeArgs = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      if ((await fetch(base + readyPath)).status === 200) break;
    } catch {
      // Not listening yet: poll again until the deadline.
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`${script} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function sign(body, secret) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

let sequence = 0;
/** A delivery of `events` inbound text messages, each with a unique mid. */
function delivery(events, pageId = 'PAGE_BENCH') {
  const now = Date.now();
  const messaging = [];
  for (let i = 0; i < events; i++) {
    const n = ++sequence;
    messaging.push({
      sender: { id: `U${n % 5000}` },
      recipient: { id: pageId },
      timestamp: now,
      message: { mid: `m_bench_${process.pid}_${n}`, text: `hello \\u00e9 ${n}` },
    });
  }
  return JSON.stringify({ object: 'page', entry: [{ id: pageId, time: now, messaging }] });
}

/** autocannon with a fresh signed delivery per request. */
function cannon({ url, connections = 50, duration = 10, events = 1, secret, path = '/webhook' }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: url + path,
        connections,
        duration,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => {
              const body = delivery(events);
              return {
                ...req,
                body,
                headers: { ...req.headers, 'x-hub-signature-256': sign(body, secret) },
              };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** CPU time (user + system, µs) of a process so far, from /proc; null where there is none. */
function processCpuUs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS);
  } catch {
    return null;
  }
}

/** CPU time (µs) of every process of the local PostgreSQL server so far; null where unknown. */
function postgresCpuUs() {
  let pids;
  try {
    pids = execFileSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return null;
  }
  return pids.reduce((sum, pid) => sum + (processCpuUs(pid) ?? 0), 0);
}

/**
 * Where the CPU goes while `run` runs: µs per unit (say, per acknowledged delivery) for the
 * service's process, the local PostgreSQL and this process (the load generator). On a machine
 * whose speed drifts, these move less than the rates do.
 */
async function cpuPerUnit(servicePid, run, units) {
  const before = [processCpuUs(servicePid), postgresCpuUs(), process.cpuUsage()];
  const result = await run();
  const own = process.cpuUsage(before[2]);
  const after = [processCpuUs(servicePid), postgresCpuUs()];
  const per = (a, b) => (a === null || b === null ? null : Math.round((b - a) / units(result)));
  return {
    result,
    cpuUs: {
      service: per(before[0], after[0]),
      postgres: per(before[1], after[1]),
      loadGenerator: per(0, own.user + own.system),
    },
  };
}

/** GET `path` `count` times one after the other; returns latency percentiles in ms. */
async function timeGets(url, count, headers = {}) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

module.exports = {
  ROOT,
  PG,
  admin,
  freshDatabase,
  startServer,
  sign,
  delivery,
  cannon,
  cpuPerUnit,
  timeGets,
  dbUrl,
};
