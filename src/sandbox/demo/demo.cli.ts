import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError, parseEnvironment } from '../../config/environment';
import { DataDirInUseError, lockDataDir } from '../../database/data-dir-lock';
import { DEMO_LIMITS } from '../dto/demo.dto';
import type { DemoRequest, DemoStatus } from './demo-writer.service';

/**
 * `npm run demo [-- --days 90 --customers 400 --seed 7]`: writes the demo history. Against the
 * service on PORT when its /health answers (with API_TOKEN, else the install's generated one from
 * DATA_DIR/secrets.json); otherwise it starts the application in this process (on DATABASE_URL,
 * else the embedded database in DATA_DIR) and runs the writer there.
 */

const HEALTH_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 10_000;
const POLL_MS = 500;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < (name === 'seed' ? 0 : 1) || parsed > max) {
    throw new UsageError(`--${name} must be an integer from ${name === 'seed' ? 0 : 1} to ${max}`);
  }
  return parsed;
}

function readRequest(argv: string[]): Partial<DemoRequest> {
  const { values } = parseArgs({
    args: argv,
    options: {
      days: { type: 'string' },
      customers: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  return {
    days: integer('days', values.days, DEMO_LIMITS.days),
    customers: integer('customers', values.customers, DEMO_LIMITS.customers),
    seed: integer('seed', values.seed, 2 ** 31 - 1),
  };
}

/** A progress bar on a terminal, a line per tenth otherwise (logs, CI). */
function progressPrinter(): (status: DemoStatus) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (status) => {
    const percent = Math.floor(status.progress * 100);
    const { surveysStored, eventsDelivered } = status.written;
    const detail = `${surveysStored} surveys, ${eventsDelivered} events`;
    if (tty) {
      const width = 30;
      const filled = Math.round(status.progress * width);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}`,
      );
      if (status.status !== 'running') process.stderr.write('\n');
      return;
    }
    const tenth = Math.floor(percent / 10);
    if (tenth !== lastTenth || status.status !== 'running') {
      lastTenth = tenth;
      process.stderr.write(`demo: ${percent}% (${detail})\n`);
    }
  };
}

function report(status: DemoStatus, seconds: number): void {
  const { written, request } = status;
  console.log(
    `demo history written in ${seconds.toFixed(1)} s (seed ${request?.seed}, ${request?.days} days, ${request?.customers} customers):`,
  );
  console.log(JSON.stringify(written, null, 2));
}

function apiToken(dataDir: string): string | undefined {
  if (process.env.API_TOKEN) return process.env.API_TOKEN;
  const file = join(resolve(dataDir), 'secrets.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { API_TOKEN?: string }).API_TOKEN;
}

async function healthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Against the running service: POST /api/sandbox/demo, then GET it until it ends. */
async function remote(base: string, token: string, request: Partial<DemoRequest>): Promise<void> {
  const call = async (method: 'GET' | 'POST', body?: unknown): Promise<DemoStatus> => {
    const res = await fetch(`${base}/api/sandbox/demo`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const json = (await res.json()) as DemoStatus & { message?: unknown };
    if (res.status === 404) {
      throw new UsageError(`the service at ${base} has no sandbox (MESSENGER_SANDBOX is off)`);
    }
    if (res.status >= 400) {
      throw new UsageError(
        `${method} /api/sandbox/demo answered ${res.status}: ${String(json.message)}`,
      );
    }
    return json;
  };
  const started = Date.now();
  const print = progressPrinter();
  let status = await call('POST', request);
  console.error(`demo: writing into the service at ${base} (seed ${status.request?.seed})`);
  while (status.status === 'running') {
    print(status);
    await new Promise((done) => setTimeout(done, POLL_MS));
    status = await call('GET');
  }
  print(status);
  if (status.status === 'failed') throw new UsageError(`demo failed: ${status.error}`);
  report(status, (Date.now() - started) / 1000);
}

/** No service running: the application in this process, the writer called directly. */
async function inProcess(request: Partial<DemoRequest>): Promise<void> {
  // The service's own log lines would drown the progress: warnings and errors only, unless asked.
  const env = parseEnvironment({ LOG_LEVEL: 'warn', ...process.env });
  if (!env.MESSENGER_SANDBOX) {
    throw new UsageError('the sandbox is off (MESSENGER_SANDBOX=false or a Page token is set)');
  }
  const unlock = env.DATABASE_URL === undefined ? lockDataDir(resolve(env.DATA_DIR)) : null;
  // Imported here: the application's modules are loaded only when they are going to run.
  const { createApp } = await import('../../app');
  const { DemoWriter } = await import('./demo-writer.service');
  const app = await createApp(env);
  try {
    const started = Date.now();
    const writer = app.get(DemoWriter);
    console.error(
      `demo: no service answers on port ${env.PORT}; writing in this process (${env.DATABASE_URL ? 'DATABASE_URL' : `embedded database in ${env.DATA_DIR}`})`,
    );
    await writer.run(DemoWriter.request(request), progressPrinter());
    report(writer.status, (Date.now() - started) / 1000);
  } finally {
    await app.close();
    unlock?.();
  }
}

async function main(): Promise<void> {
  const request = readRequest(process.argv.slice(2));
  const env = parseEnvironment(process.env);
  const base = `http://127.0.0.1:${env.PORT}`;
  if (await healthy(base)) {
    const token = apiToken(env.DATA_DIR);
    if (token === undefined) {
      throw new UsageError(`a service answers at ${base} but no API token is known: set API_TOKEN`);
    }
    await remote(base, token, request);
  } else {
    await inProcess(request);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof ConfigurationError ||
      error instanceof DataDirInUseError ||
      (error instanceof TypeError &&
        (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'));
    console.error(
      known || !(error instanceof Error) ? String((error as Error).message ?? error) : error.stack,
    );
    process.exit(1);
  },
);
