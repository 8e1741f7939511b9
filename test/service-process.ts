import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled service, started as a user or the container starts it (`node dist/main.js`). */
export const ROOT = join(__dirname, '..');
export const MAIN = join(ROOT, 'dist', 'main.js');

export function buildOnce(): void {
  if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/** A loopback port nothing listens on (when it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `node dist/main.js` with exactly `env` (plus PATH): nothing leaks in from the test's. In
 * `cwd` (default: the repository), whose `.env` the service reads.
 */
export function startService(env: Record<string, string>, cwd = ROOT): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The exit code, or a failure naming what the process printed if it is still running. */
export async function exitCode(
  service: ServiceProcess,
  timeoutMs = 30_000,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      service.child.kill('SIGKILL');
      reject(new Error(`still running after ${timeoutMs} ms:\n${service.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([service.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitForHealth(port: number, service: ServiceProcess): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || service.child.exitCode !== null) {
      throw new Error(`service did not become healthy:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** SIGTERM, then the exit code (SIGKILL after 30 s, failing the test). */
export function stopService(service: ServiceProcess): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.exited;
  service.child.kill('SIGTERM');
  return exitCode(service);
}
