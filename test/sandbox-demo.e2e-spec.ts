import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from './service-process';
import { API_TOKEN, eventually, readJson, startTestApp, TestApp } from './test-app';

const SANDBOX_PAGE = '100000000000001';
const EVERYTHING = 'from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z';
const DEMO = { days: 60, customers: 150, seed: 20261203 };

type ByType = { csat: number; nps: number; ces: number };
interface Written {
  surveysStored: number;
  eventsDelivered: number;
  customers: number;
  surveys: ByType;
  answered: ByType;
  expired: number;
  failed: number;
  comments: number;
  events: number;
  responseFeedback: number;
  [count: string]: number | ByType;
}
interface DemoStatus {
  status: string;
  progress: number;
  request: unknown;
  error: string | null;
  written: Written;
}
interface Point {
  period: string;
  responses: number;
  score: number;
  average: number;
}
interface Comment {
  surveyId: string | null;
  type: string;
  score: number;
  text: string;
}
interface Observed {
  scores: Record<string, unknown> & {
    csat: { responses: number; distribution: Record<string, number> };
    nps: {
      responses: number;
      distribution: Record<string, number>;
      promoters: number;
      detractors: number;
    };
    ces: { responses: number; distribution: Record<string, number> };
  };
  trends: Record<string, Point[]>;
  comments: Comment[];
  feedback: { good: number; bad: number; total: number };
}

async function startSandbox(): Promise<TestApp> {
  return startTestApp({ MESSENGER_SANDBOX: 'true' });
}

/** POST /api/sandbox/demo, then GET it until it is no longer running. */
async function writeDemo(t: TestApp, body: unknown): Promise<DemoStatus> {
  const started = await t.api('/api/sandbox/demo', { method: 'POST', json: body });
  expect(started.status).toBe(202);
  expect(await readJson(started)).toMatchObject({ status: 'running' });
  return eventually(async () => {
    const status = (await readJson(await t.api('/api/sandbox/demo'))) as DemoStatus;
    expect(status.status).not.toBe('running');
    return status;
  }, 180_000);
}

/** What the service says about the sandbox Page once the history is written. */
async function observe(t: TestApp): Promise<Observed> {
  const scores = await readJson(await t.api(`/api/scores?pageId=${SANDBOX_PAGE}&${EVERYTHING}`));
  const trends = Object.fromEntries(
    await Promise.all(
      ['csat', 'nps', 'ces'].map(async (type): Promise<[string, Point[]]> => [
        type,
        (
          (await readJson(
            await t.api(
              `/api/scores/${type}/trend?interval=week&pageId=${SANDBOX_PAGE}&${EVERYTHING}`,
            ),
          )) as { points: Point[] }
        ).points,
      ]),
    ),
  );
  const comments = await readJson(
    await t.api(`/api/scores/comments?pageId=${SANDBOX_PAGE}&limit=500&${EVERYTHING}`),
  );
  const feedback = await readJson(
    await t.api(`/api/response-feedback?pageId=${SANDBOX_PAGE}&${EVERYTHING}`),
  );
  return {
    scores,
    trends,
    comments: (comments as { items: Comment[] }).items,
    feedback,
  };
}

describe('the demo history', () => {
  let t: TestApp;
  let status: DemoStatus;
  let seen: Observed;
  beforeAll(async () => {
    t = await startSandbox();
    expect(await readJson(await t.api('/api/sandbox/demo'))).toMatchObject({
      status: 'idle',
      progress: 0,
    });
    const started = await t.api('/api/sandbox/demo', { method: 'POST', json: DEMO });
    expect(started.status).toBe(202);
    // One run at a time.
    const second = await t.api('/api/sandbox/demo', { method: 'POST', json: { seed: 1 } });
    expect(second.status).toBe(409);
    expect(await readJson(second)).toMatchObject({ code: 'DEMO_RUNNING' });
    status = await eventually(async () => {
      const now = (await readJson(await t.api('/api/sandbox/demo'))) as DemoStatus;
      expect(now.progress).toBeGreaterThanOrEqual(0);
      expect(now.progress).toBeLessThanOrEqual(1);
      expect(now.status).not.toBe('running');
      return now;
    }, 180_000);
    seen = await observe(t);
  }, 240_000);
  afterAll(() => t.close());

  it('is written and handled in full', () => {
    expect(status).toMatchObject({ status: 'done', progress: 1, request: DEMO, error: null });
    const { written } = status;
    expect(written.customers).toBe(DEMO.customers);
    expect(written.eventsDelivered).toBe(written.events);
    const surveys = written.surveys.csat + written.surveys.nps + written.surveys.ces;
    expect(written.surveysStored).toBe(surveys);
    // Each part of a believable Page is there.
    for (const count of [
      'conversations',
      'messages',
      'echoes',
      'replies',
      'edits',
      'reactions',
      'deliveryReceipts',
      'readReceipts',
      'responseFeedback',
      'expired',
      'failed',
      'comments',
    ]) {
      expect([count, (written[count] as number) > 0]).toEqual([count, true]);
    }
  });

  it('shows in the scores exactly as written, at plausible rates', () => {
    const { written } = status;
    const { scores } = seen;
    for (const type of ['csat', 'nps', 'ces'] as const) {
      expect([type, scores[type].responses]).toEqual([type, written.answered[type]]);
      const rate = written.answered[type] / written.surveys[type];
      expect([type, rate > 0.15 && rate < 0.6]).toEqual([type, true]);
    }
    const sent = written.surveys.csat + written.surveys.nps + written.surveys.ces;
    const answered = written.answered.csat + written.answered.nps + written.answered.ces;
    expect(scores.surveys).toMatchObject({
      sent: sent - written.failed,
      responded: answered,
      expired: written.expired,
      failed: written.failed,
    });
    expect(written.failed / sent).toBeLessThan(0.1);
    expect(written.expired / sent).toBeGreaterThan(0.35);
    // CSAT is the survey sent most.
    expect(written.surveys.csat).toBeGreaterThan(written.surveys.nps);
    expect(written.surveys.csat).toBeGreaterThan(written.surveys.ces);
  });

  it('has distributions that differ by type and spread over each scale', () => {
    const { scores } = seen;
    const used = (distribution: Record<string, number>): number =>
      Object.values(distribution).filter((n) => n > 0).length;
    expect(used(scores.csat.distribution)).toBeGreaterThanOrEqual(4);
    expect(used(scores.nps.distribution)).toBeGreaterThanOrEqual(6);
    expect(used(scores.ces.distribution)).toBeGreaterThanOrEqual(5);
    expect(scores.nps.promoters).toBeGreaterThan(0);
    expect(scores.nps.detractors).toBeGreaterThan(0);
  });

  it('drifts over the weeks: CSAT improves, no trend is flat', () => {
    const { trends } = seen;
    const mean = (points: { average: number; responses: number }[]): number =>
      points.reduce((sum, p) => sum + p.average * p.responses, 0) /
      points.reduce((sum, p) => sum + p.responses, 0);
    for (const type of ['csat', 'nps', 'ces']) {
      const points = trends[type] as { score: number; average: number; responses: number }[];
      expect(points.length).toBeGreaterThanOrEqual(6);
      const averages = points.map((p) => p.average);
      expect([type, Math.max(...averages) - Math.min(...averages) > 0.5]).toEqual([type, true]);
    }
    const csat = trends.csat as { average: number; responses: number }[];
    const third = Math.floor(csat.length / 3);
    expect(mean(csat.slice(-third)) - mean(csat.slice(0, third))).toBeGreaterThan(0.3);
  });

  it('has follow-up comments, good and bad', () => {
    const { comments } = seen;
    expect(comments).toHaveLength(status.written.comments);
    expect(comments.some((c: { score: number }) => c.score >= 4)).toBe(true);
    expect(
      comments.some((c: { type: string; score: number }) => c.type === 'csat' && c.score <= 2),
    ).toBe(true);
    expect(comments.every((c: { surveyId: string | null }) => c.surveyId !== null)).toBe(true);
  });

  it('has response feedback and conversations with echoes and receipts', async () => {
    const { feedback } = seen;
    expect(feedback.total).toBe(status.written.responseFeedback);
    expect(feedback.good).toBeGreaterThan(0);
    expect(feedback.bad).toBeGreaterThan(0);
    const conversations = await readJson(
      await t.api(`/api/conversations?pageId=${SANDBOX_PAGE}&limit=500`),
    );
    expect(conversations.items).toHaveLength(DEMO.customers);
    const [first] = conversations.items;
    const messages = (
      (await readJson(
        await t.api(`/api/conversations/${SANDBOX_PAGE}/${first.userId}/messages?limit=500`),
      )) as { items: { direction: string; deliveredAt: string | null }[] }
    ).items;
    expect(messages.some((m) => m.direction === 'outbound')).toBe(true);
    expect(messages.some((m) => m.deliveredAt !== null)).toBe(true);
    const events = await readJson(await t.api('/api/webhook-events'));
    expect(events.items).toEqual([]);
  });

  it('refuses to write the same seed twice into one database', async () => {
    const again = await writeDemo(t, DEMO);
    expect(again).toMatchObject({ status: 'failed' });
    expect(again.error).toMatch(/seed 20261203 is in this database already/);
    const scores = await readJson(await t.api(`/api/scores?pageId=${SANDBOX_PAGE}&${EVERYTHING}`));
    expect(scores).toEqual(seen.scores);
  });

  it('refuses bad options with a 400', async () => {
    for (const body of [
      { days: 0 },
      { days: 366 },
      { customers: 2001 },
      { seed: -1 },
      { seed: 1.5 },
      { x: 1 },
    ]) {
      const res = await t.api('/api/sandbox/demo', { method: 'POST', json: body });
      expect([body, res.status]).toEqual([body, 400]);
    }
  });

  it('writes the same history for the same seed, another for another seed', async () => {
    const other = await startSandbox();
    try {
      const same = await writeDemo(other, DEMO);
      expect(same.written).toEqual(status.written);
      const observed = await observe(other);
      expect(observed.scores).toEqual(seen.scores);
      expect(observed.feedback).toEqual(seen.feedback);
      expect(
        (observed.comments as { text: string; score: number }[])
          .map((c) => [c.text, c.score])
          .sort(),
      ).toEqual(
        (seen.comments as { text: string; score: number }[]).map((c) => [c.text, c.score]).sort(),
      );
    } finally {
      await other.close();
    }
    const third = await startSandbox();
    try {
      const different = await writeDemo(third, { ...DEMO, seed: 7 });
      expect(different.status).toBe('done');
      expect(different.written).not.toEqual(status.written);
    } finally {
      await third.close();
    }
  }, 240_000);
});

/** Runs `npm run demo`'s program (compiled) with `env` and `args`. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'sandbox', 'demo', 'demo.cli.js'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('writes into the running service on PORT, with plain progress lines off a terminal', async () => {
    const t = await startSandbox();
    try {
      const port = new URL(t.baseUrl).port;
      const run = await runCli(['--days', '5', '--customers', '8', '--seed', '5'], {
        PORT: port,
        API_TOKEN,
        DATA_DIR: t.storage.dataDir,
      });
      expect(run.stderr).toContain(`writing into the service at http://127.0.0.1:${port} (seed 5)`);
      expect(run.stderr).toMatch(/demo: 100% \(\d+ surveys, \d+ events\)/);
      expect(run.stderr).not.toContain('\r');
      expect(run.code).toBe(0);
      const written = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
      expect(written.customers).toBe(8);
      const status = await readJson(await t.api('/api/sandbox/demo'));
      expect(status).toMatchObject({ status: 'done', request: { days: 5, customers: 8, seed: 5 } });
      expect(status.written).toEqual(written);
    } finally {
      await t.close();
    }
  }, 150_000);

  it('boots the application itself on the embedded database when no service answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mf-demo-'));
    try {
      const run = await runCli(['--days', '3', '--customers', '4', '--seed', '9'], {
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        NODE_ENV: 'development',
      });
      expect(run.stderr).toContain('writing in this process (embedded database in');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{')))).toMatchObject({
        customers: 4,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('refuses bad flags with one line', async () => {
    const run = await runCli(['--days', 'ten'], { PORT: String(await freePort()) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('--days must be an integer from 1 to 365');
  });
});
