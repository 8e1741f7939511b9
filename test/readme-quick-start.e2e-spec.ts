import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFreshDatabase, FreshDatabase } from './fresh-database';
import {
  buildOnce,
  freePort,
  ROOT,
  ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from './service-process';

/** The shell block that follows `<!-- quick-start: <name> -->` in the README. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf(`<!-- quick-start: ${name} -->`);
  if (marker === -1) throw new Error(`README has no quick-start block "${name}"`);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!match) throw new Error(`README's quick-start block "${name}" has no sh code`);
  return match[1];
}

/**
 * The README's quick start, run as written against a freshly started service (its own working
 * directory and data, the sandbox on by default), so the README cannot rot. The only changes: the
 * port (a free one instead of 3000), and `npm run demo`, which is `npm run build` then the demo's
 * compiled script: the test runs the script on the build it already has.
 */
describe("the README's quick start", () => {
  let dir: string;
  let db: FreshDatabase | null = null;
  let service: ServiceProcess | null = null;

  beforeAll(buildOnce);
  afterAll(async () => {
    if (service) await stopService(service);
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the two commands and walks the whole loop, copy-paste', async () => {
    expect(readmeBlock('start').trim()).toBe('npm ci && npm start');
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.start).toBe('npm run build && node dist/main.js');
    const demo = /^npm run build && (node .+)$/.exec(scripts.demo)?.[1];
    expect(demo).toBeDefined();

    dir = mkdtempSync(join(tmpdir(), 'mf-readme-'));
    const port = await freePort();
    // On the suite's database server when it has one (CI), else embedded as on a laptop.
    const env: Record<string, string> = { PORT: String(port), LOG_LEVEL: 'warn' };
    if (process.env.DATABASE_URL) {
      db = await createFreshDatabase();
      env.DATABASE_URL = db.url;
    }
    service = startService(env, dir);
    await waitForHealth(port, service);

    const loop = readmeBlock('loop').replaceAll('localhost:3000', `localhost:${port}`);
    const script = [
      'set -euo pipefail',
      `npm() { if [ "$1 $2" = "run demo" ]; then shift 2; [ "\${1:-}" = "--" ] && shift; (cd ${JSON.stringify(ROOT)} && ${demo} "$@"); else command npm "$@"; fi; }`,
      loop,
    ].join('\n');
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        PORT: String(port),
        DATA_DIR: join(dir, '.data'),
      },
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the quick start failed:\n${error.stdout}\n${error.stderr}`);
    });

    // Each `api` call prints one JSON line: read them in order.
    const answers = stdout
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const [message, inbox, answered, scores, trend, comments] = answers;
    expect(message).toMatchObject({ mid: expect.any(String) });
    expect(inbox).toMatchObject({
      items: [{ kind: 'survey', survey: { type: 'csat', status: 'sent', followUp: true } }],
    });
    expect(answered).toMatchObject({ questionId: expect.any(String) });
    expect(scores).toMatchObject({
      csat: { responses: 1, score: 100, average: 5 },
      surveys: { sent: 1, responded: 1, responseRate: 1 },
    });
    expect(trend).toMatchObject({ type: 'csat', points: [{ responses: 1, score: 100 }] });
    expect(comments).toMatchObject({
      items: [{ userId: '7001', score: 5, text: 'Quick and kind, thanks!' }],
    });
    // After the demo history: many answers of every type compared with the period before, a
    // weekly NPS trend with a shape, and CSAT split by who handled the conversation.
    const [after, npsTrend, breakdown] = answers.slice(-3) as [
      {
        csat: { responses: number };
        nps: { responses: number };
        ces: { responses: number };
        previous: { csat: { responses: number } };
        delta: Record<string, number | null>;
      },
      { points: { score: number | null }[] },
      { items: { key: string; responses: number }[] },
    ];
    expect(after.csat.responses).toBeGreaterThan(50);
    expect(after.nps.responses).toBeGreaterThan(0);
    expect(after.ces.responses).toBeGreaterThan(0);
    expect(after.previous.csat.responses).toBeGreaterThan(10);
    expect(typeof after.delta.csat).toBe('number');
    const weekly = npsTrend.points.map((point) => point.score).filter((s) => s !== null);
    expect(weekly.length).toBeGreaterThan(8);
    expect(new Set(weekly).size).toBeGreaterThan(3);
    expect(breakdown.items.length).toBeGreaterThan(1);
  });
});
