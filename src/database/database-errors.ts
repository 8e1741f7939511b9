import { HttpStatus } from '@nestjs/common';
import { AppError } from '../common/app-error';

/** Seconds a client is asked to wait before it tries again while the database does not answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The database did not answer (refused, reset, or silent past the configured bound). Not a bug of
 * this service and not the client's fault: a 503 that says when to try again, logged in one line.
 */
export class DatabaseUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'DATABASE_UNAVAILABLE',
      'The database is not answering; try again later',
    );
  }
}

/** Socket errors of a connection that cannot be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), shutting down or
 * starting up (57P01-57P03), a statement cancelled by `statement_timeout` (57014), no connection
 * slot left (53300).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);

/**
 * Prisma's codes for the same: server unreachable (P1001), timed out (P1002, P1008), connection
 * closed (P1017), no pool connection in time (P2024).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** The kinds Prisma's driver adapter gives the same socket errors. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/**
 * What node-postgres says (as plain errors without a code) when the server is gone or silent: a
 * connection lost or never made, a statement past `query_timeout`, a pool slot not free in time, a
 * client closed after one of those. And the one refusal of a database closed to connections.
 */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
  /is not currently accepting connections$/,
];

/**
 * Whether an error means "the database did not answer" rather than "this request or this code is
 * wrong". It looks through the wrappers (Prisma's error, its driver adapter error and `cause`),
 * since the same outage reaches the routes through raw pg queries and through Prisma alike.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof DatabaseUnavailableError) return true;
    const fields = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    const code = typeof fields.code === 'string' ? fields.code : '';
    if (NETWORK_CODES.has(code) || PRISMA_CODES.has(code) || SQLSTATES.has(code)) return true;
    if (code.startsWith('08') && code.length === 5) return true;
    if (typeof fields.kind === 'string' && ADAPTER_KINDS.has(fields.kind)) return true;
    if (
      typeof fields.message === 'string' &&
      DRIVER_MESSAGES.some((pattern) => pattern.test(fields.message as string))
    ) {
      return true;
    }
    queue.push(fields.cause, fields.meta?.driverAdapterError);
  }
  return false;
}

/** The error as a DatabaseUnavailableError when it is one, else null. */
export function asDatabaseUnavailable(error: unknown): DatabaseUnavailableError | null {
  if (error instanceof DatabaseUnavailableError) return error;
  if (!isDatabaseUnavailable(error)) return null;
  return new DatabaseUnavailableError(describe(error));
}

/** One short line about the cause, for the log (never a stack): a Prisma message's last line. */
function describe(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? (message.trim().split('\n').pop() ?? '') : '';
  return typeof code === 'string' ? `${code}: ${text}` : text || String(error);
}
