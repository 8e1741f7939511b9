import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock';

/** What the lock file says of this process, as another process would read it. */
function ownerOf(dir: string): { pid: number; start: string | null; host: string } {
  return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as {
    pid: number;
    start: string | null;
    host: string;
  };
}

/** A pid that was alive a moment ago and is not any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('lockDataDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mf-lock-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes its owner, and removes the file when released', () => {
    const release = lockDataDir(dir);
    expect(ownerOf(dir)).toMatchObject({ pid: process.pid, host: hostname() });
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a directory held by a live process, naming its pid', () => {
    const release = lockDataDir(dir);
    const mine = ownerOf(dir);
    // Handed to the parent process, alive (its start time unknown: respected all the same).
    const parent = { ...mine, pid: process.ppid, start: null };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(parent));
    expect(() => lockDataDir(dir)).toThrow(
      new DataDirInUseError(
        `DATA_DIR ${dir} is in use by another process (pid ${process.ppid}); stop it or set another DATA_DIR`,
      ),
    );
    release(); // not its file any more: left alone
    expect(ownerOf(dir).pid).toBe(process.ppid);
  });

  it('replaces the lock of a process that is gone', async () => {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: await deadPid(), start: '1', host: hostname() }),
    );
    const release = lockDataDir(dir);
    expect(ownerOf(dir).pid).toBe(process.pid);
    release();
  });

  it('replaces the lock of a pid now reused by a process started at another time', () => {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.ppid, start: '1', host: hostname() }),
    );
    const release = lockDataDir(dir);
    expect(ownerOf(dir).pid).toBe(process.pid);
    release();
  });

  it('replaces a lock bearing its own pid (a container restarted as pid 1) and a damaged one', () => {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, start: '1', host: hostname() }),
    );
    lockDataDir(dir)();
    writeFileSync(join(dir, LOCK_FILE), '{"pi');
    const release = lockDataDir(dir);
    expect(ownerOf(dir).pid).toBe(process.pid);
    release();
  });
});
