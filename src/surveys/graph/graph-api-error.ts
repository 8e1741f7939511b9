/**
 * Meta's Graph API errors: reading `{"error": {message, type, code, error_subcode, fbtrace_id}}`,
 * and deciding which are worth another attempt.
 */

/** Meta's rate limits: app (4), user (17), Page (32), calls within the hour (613). */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613]);

/** Unknown error, service unavailable, and the rate limits (app, user, Page, hourly calls). */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, ...RATE_LIMIT_CODES]);

/** Whether Meta refused for sending too much: one of its rate-limit codes, or a bare 429. */
export function isRateLimit(detail: Pick<GraphErrorDetail, 'code' | 'httpStatus'>): boolean {
  return detail.code !== null
    ? RATE_LIMIT_CODES.has(detail.code)
    : detail.httpStatus === 429;
}

/**
 * Errors that another attempt cannot fix: permissions (10, 200-299, e.g. 10/2018278 sent outside
 * the allowed window), invalid parameters (100), the person is unavailable (551), a bad or
 * expired token (190), a policy block (368).
 */
export function isPermanentCode(code: number): boolean {
  return (
    code === 10 ||
    code === 100 ||
    code === 190 ||
    code === 368 ||
    code === 551 ||
    (code >= 200 && code < 300)
  );
}

/** What is kept of a failed Graph API call: on the failed survey and in the 502 body. */
export interface GraphErrorDetail {
  /** The HTTP status, or null when no answer came (network error, timeout). */
  httpStatus: number | null;
  /** Meta's `code`, `error_subcode`, `type`, `message` and `fbtrace_id`. */
  code: number | null;
  errorSubcode: number | null;
  type: string | null;
  message: string;
  fbtraceId: string | null;
  /** Whether the error was of a kind that is retried. */
  transient: boolean;
  /** How many requests were made. */
  attempts: number;
}

/** A Graph API call failed for good (after the retries it deserved). */
export class GraphApiError extends Error {
  override name = 'GraphApiError';

  constructor(readonly detail: GraphErrorDetail) {
    super(describeGraphError(detail));
  }
}

export function describeGraphError(
  detail: Pick<GraphErrorDetail, 'code' | 'errorSubcode' | 'message'>,
): string {
  if (detail.code === null) return `Graph API error: ${detail.message}`;
  const code =
    detail.errorSubcode === null ? `${detail.code}` : `${detail.code}/${detail.errorSubcode}`;
  return `Graph API error ${code}: ${detail.message}`;
}

type ErrorFields = Pick<
  GraphErrorDetail,
  'httpStatus' | 'code' | 'errorSubcode' | 'type' | 'message' | 'fbtraceId'
> & {
  /** Meta's own `is_transient` hint. */
  isTransient: boolean;
};

const MESSAGE_MAX = 1000;

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MESSAGE_MAX) : null;
}

/** Reads an error answer: Meta's error object when there is one, else what the status says. */
export function readGraphError(httpStatus: number, body: unknown): ErrorFields {
  const error =
    typeof body === 'object' &&
    body !== null &&
    'error' in body &&
    typeof body.error === 'object' &&
    body.error !== null
      ? (body.error as Record<string, unknown>)
      : null;
  return {
    httpStatus,
    code: integer(error?.code),
    errorSubcode: integer(error?.error_subcode),
    type: text(error?.type),
    message: text(error?.message) ?? `HTTP ${httpStatus} without a Graph API error`,
    fbtraceId: text(error?.fbtrace_id),
    isTransient: error?.is_transient === true,
  };
}

/** A request that got no answer: refused, reset, or timed out. */
export function networkError(error: unknown, timeoutMs: number): ErrorFields {
  // Read by shape, not instanceof: fetch's DOMException and errors from another realm are not
  // instances of this realm's Error.
  const { name, message, cause } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const { code: causeCode, message: causeMessage } = (cause ?? {}) as {
    code?: unknown;
    message?: unknown;
  };
  const reason =
    name === 'TimeoutError' || name === 'AbortError'
      ? `no answer within ${timeoutMs} ms`
      : typeof causeCode === 'string'
        ? causeCode
        : typeof causeMessage === 'string'
          ? causeMessage
          : typeof message === 'string'
            ? message
            : String(error);
  return {
    httpStatus: null,
    code: null,
    errorSubcode: null,
    type: null,
    message: `network error: ${reason}`.slice(0, MESSAGE_MAX),
    fbtraceId: null,
    isTransient: true,
  };
}

/**
 * Retry network errors, 5xx, 429 and Meta's transient codes; never Meta's permanent codes, even
 * when they come with a 5xx. Anything else (a 4xx with an unknown code) is not retried: the same
 * request would fail the same way.
 */
export function isRetryable(error: ErrorFields): boolean {
  if (error.code !== null && isPermanentCode(error.code)) return false;
  if (error.code !== null && TRANSIENT_CODES.has(error.code)) return true;
  if (error.isTransient) return true;
  if (error.httpStatus === null) return true;
  return error.httpStatus >= 500 || error.httpStatus === 429;
}

/**
 * Exponential backoff with jitter before attempt `attempt + 1`: half of the step is fixed, half
 * random, so that callers failing together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Removes a secret from a text that came from elsewhere (Meta could echo what it was sent). */
export function redactSecret(value: string, secret: string): string {
  return secret === '' ? value : value.split(secret).join('[Redacted]');
}
