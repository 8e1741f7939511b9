import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './service-process';
import { startTestApp, TestApp } from './test-app';

type Operation = {
  summary?: string;
  security?: unknown[];
  responses: Record<string, { content?: unknown; $ref?: string }>;
};

/** Runs `command`; on failure, fails with what it printed (the lint report, tsc's errors). */
function withOutput(command: () => string): string {
  try {
    return command();
  } catch (error) {
    throw new Error(String((error as { stdout?: string }).stdout ?? error));
  }
}

/** The OpenAPI document as a client's source of truth: linted, complete, and usable for codegen. */
describe('the OpenAPI document', () => {
  let app: TestApp;
  let dir: string;
  let document: { paths: Record<string, Record<string, Operation>> };
  const file = () => join(dir, 'openapi.json');

  beforeAll(async () => {
    // With the sandbox on, so that its routes are in the document too.
    app = await startTestApp({ MESSENGER_SANDBOX: 'true' });
    dir = mkdtempSync(join(tmpdir(), 'mf-openapi-'));
    const text = await (await app.api('/docs-json', { auth: false })).text();
    writeFileSync(file(), text);
    document = JSON.parse(text) as typeof document;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method} ${path}`, operation })),
    );

  it("passes Redocly's recommended lint with no error, and openapi-typescript generates a client that compiles", () => {
    const run = () =>
      execFileSync(
        process.execPath,
        [join(ROOT, 'scripts', 'check-openapi.mjs'), file(), join(dir, 'api.d.ts')],
        { encoding: 'utf8', cwd: ROOT },
      );
    const report = JSON.parse(withOutput(run)) as { errors: unknown[] };
    expect(report.errors).toEqual([]);

    // A client written against the generated types, as a user of the API would.
    writeFileSync(
      join(dir, 'client.ts'),
      `import type { paths } from './api';
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type SendSurvey = Json<paths['/api/surveys']['post']['requestBody']>;
export type Survey = Json<paths['/api/surveys']['post']['responses']['201']>;
export type Scores = Json<paths['/api/scores']['get']['responses']['200']>;
export type Problem = Json<paths['/api/surveys']['post']['responses']['400']>;
export async function send(base: string, token: string, body: SendSurvey): Promise<Survey | Problem> {
  const res = await fetch(base + '/api/surveys', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Survey | Problem;
}
export const example: SendSurvey = { pageId: 'P', recipientId: 'U', type: 'csat' };
export function code(problem: Problem): string {
  return problem.code;
}
export function csat(scores: Scores): number | null | undefined {
  return scores.csat?.score;
}
`,
    );
    withOutput(() =>
      execFileSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
          '--noEmit',
          '--strict',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--lib',
          'es2022,dom',
          '--skipLibCheck',
          join(dir, 'client.ts'),
        ],
        { encoding: 'utf8' },
      ),
    );
  });

  it('gives every operation a summary, its security, its error answers with their schema', () => {
    const all = operations();
    expect(all.length).toBeGreaterThan(15);
    for (const { name, operation } of all) {
      expect({ name, summary: typeof operation.summary }).toEqual({ name, summary: 'string' });
      expect({ name, security: Array.isArray(operation.security) }).toEqual({
        name,
        security: true,
      });
      const isPublic = operation.security?.length === 0;
      expect({ name, has401: '401' in operation.responses || isPublic }).toEqual({
        name,
        has401: true,
      });
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        expect({ name, status, content: response.content !== undefined }).toEqual({
          name,
          status,
          content: true,
        });
      }
    }
    const publicOnes = all.filter(({ operation }) => operation.security?.length === 0);
    expect(publicOnes.map(({ name }) => name).sort()).toEqual([
      'get /health',
      'get /webhook',
      'post /api/session',
      'post /webhook',
    ]);
  });
});
