import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendApiBody } from '../template/send-api-body';
import {
  backoffDelay,
  GraphApiError,
  isRetryable,
  networkError,
  readGraphError,
  redactSecret,
} from './graph-api-error';

export interface GraphClientOptions {
  /** GRAPH_API_URL, without a trailing slash; a function is asked again for every request. */
  baseUrl: string | (() => string);
  /** GRAPH_API_VERSION, e.g. v21.0. */
  version: string;
  /** Per request, answer body included. */
  timeoutMs: number;
  /** Requests in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The first request, then two retries 0.25-0.5 s and 0.5-1 s later: a survey is sent while its
 * caller waits, so the whole exchange stays within about half a minute even when every request
 * times out.
 */
export const DEFAULT_GRAPH_CLIENT_OPTIONS = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 2_000,
} as const;

export interface SendResult {
  messageId: string | null;
  attempts: number;
}

/**
 * The Graph API calls the surveys need. The Page access token travels in the Authorization header,
 * never in the URL, so no URL that a proxy, a log line or an error message prints holds it; error
 * texts are scrubbed of it too.
 */
export class GraphSendApiClient {
  private readonly logger = new Logger(GraphSendApiClient.name);

  constructor(private readonly options: GraphClientOptions) {}

  /**
   * POST /{version}/{page}/messages. Throws GraphApiError when it fails for good. `maxAttempts`
   * overrides the client's (1: a caller that paces its own retries, such as a campaign).
   */
  async sendMessage(
    pageId: string,
    token: string,
    body: SendApiBody,
    options: { maxAttempts?: number } = {},
  ): Promise<SendResult> {
    const path = `/${encodeURIComponent(pageId)}/messages`;
    const { json, attempts } = await this.call('POST', path, token, body, options.maxAttempts);
    const messageId = typeof json.message_id === 'string' ? json.message_id : null;
    return { messageId, attempts };
  }

  /** GET /{version}/me: the id of the Page a Page access token belongs to. */
  async fetchPageId(token: string): Promise<string> {
    const { json, attempts } = await this.call('GET', '/me?fields=id', token);
    if (typeof json.id === 'string' && json.id !== '') return json.id;
    throw new GraphApiError({
      httpStatus: 200,
      code: null,
      errorSubcode: null,
      type: null,
      message: 'GET /me answered without an id',
      fbtraceId: null,
      transient: false,
      attempts,
    });
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: unknown,
    maxAttempts = this.options.maxAttempts,
  ): Promise<{ json: Record<string, unknown>; attempts: number }> {
    const { baseUrl, version, timeoutMs, baseDelayMs, maxDelayMs } = this.options;
    const url = `${typeof baseUrl === 'string' ? baseUrl : baseUrl()}/${version}${path}`;
    for (let attempt = 1; ; attempt++) {
      let failure;
      try {
        const response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const json = parseObject(await response.text());
        if (response.ok && json !== null && !('error' in json)) return { json, attempts: attempt };
        failure = readGraphError(response.status, json);
      } catch (error) {
        failure = networkError(error, timeoutMs);
      }
      failure.message = redactSecret(failure.message, token);
      const retryable = isRetryable(failure);
      if (!retryable || attempt >= maxAttempts) {
        const { isTransient: _hint, ...detail } = failure;
        throw new GraphApiError({ ...detail, transient: retryable, attempts: attempt });
      }
      const delay = backoffDelay(attempt, baseDelayMs, maxDelayMs);
      this.logger.warn(
        `${method} ${path.split('?')[0]} attempt ${attempt} failed (${failure.httpStatus ?? 'no answer'}, code ${failure.code ?? '-'}, fbtrace_id ${failure.fbtraceId ?? '-'}): retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
