import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../config/environment';

/** The lock file: `{pid, start, host}` of the process that owns DATA_DIR. */
export const LOCK_FILE = 'service.lock';
/** Held only while a stale lock is being replaced; older than this, its taker died doing so. */
const TAKEOVER_STALE_MS = 10_000;

interface Owner {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for it. */
  start: string | null;
  host: string;
}

/** DATA_DIR is held by another live process; the message is the one line the start prints. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * An exclusive lock on DATA_DIR: two processes on one embedded database each keep their own pages
 * in memory and overwrite each other's files, so acknowledged deliveries get lost. A pid file
 * created exclusively, not a timed lock (proper-lockfile): a process killed with SIGKILL leaves a
 * file whose pid is dead (or reused by a process started at another time), which the next start
 * detects at once instead of after a staleness delay, and the error can name the owner's pid.
 * Returns the function that releases the lock (also released when the process exits).
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  const me: Owner = { pid: process.pid, start: startTicks(process.pid), host: hostname() };
  for (let attempt = 0; ; attempt++) {
    if (tryCreateIn(dataDir, file, me)) break;
    const owner = readOwner(file);
    if (owner && isAlive(owner)) {
      throw new DataDirInUseError(
        `DATA_DIR ${dataDir} is in use by another process (pid ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`}); stop it or set another DATA_DIR`,
      );
    }
    // Stale (its owner is gone) or unreadable (damaged). Two starts may find it stale at once:
    // only the one holding the takeover file removes it, and only if it is still the file judged
    // stale, so neither removes the other's fresh lock.
    if (attempt >= 3 || !replaceStale(file, owner)) {
      throw new DataDirInUseError(
        `DATA_DIR ${dataDir} is in use by another process (it is being taken over); try again`,
      );
    }
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    const owner = readOwner(file);
    if (owner?.pid === me.pid && owner.start === me.start) unlinkQuietly(file);
  };
  process.on('exit', release);
  return release;
}

/** tryCreate, with a directory that cannot be written reported in one line naming DATA_DIR. */
function tryCreateIn(dataDir: string, file: string, owner: Owner): boolean {
  try {
    mkdirSync(dataDir, { recursive: true });
    return tryCreate(file, owner);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new ConfigurationError(
      `Invalid configuration: DATA_DIR ${dataDir} cannot be written (${code})`,
    );
  }
}

/**
 * Written aside, then linked into place (link fails if the name exists, like O_EXCL), so the lock
 * is never seen half written: an empty lock file would look stale to another start.
 */
function tryCreate(file: string, owner: Owner): boolean {
  const temporary = `${file}.${owner.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner) + '\n', { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temporary);
  }
}

function replaceStale(file: string, judged: Owner | null): boolean {
  const takeover = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(takeover) > TAKEOVER_STALE_MS) unlinkQuietly(takeover);
    return false;
  }
  try {
    closeSync(fd);
    const now = readOwner(file);
    if (JSON.stringify(now) === JSON.stringify(judged)) unlinkQuietly(file);
    return true;
  } finally {
    unlinkQuietly(takeover);
  }
}

function readOwner(file: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && Number.isInteger(owner.pid) && owner.pid > 0
      ? { pid: owner.pid, start: owner.start ?? null, host: owner.host ?? '' }
      : null;
  } catch {
    return null;
  }
}

function isAlive(owner: Owner): boolean {
  // Another host sharing the directory (a network volume): its processes cannot be checked here,
  // so the lock is respected.
  if (owner.host !== hostname()) return true;
  // In a container the service is pid 1 on every start: its own pid in the file is its previous
  // life's.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = startTicks(owner.pid);
  return owner.start === null || start === null || start === owner.start;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name), or null off Linux. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
