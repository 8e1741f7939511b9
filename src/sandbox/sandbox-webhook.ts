import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';

/** One `entry[].messaging[]` event of a delivery. */
export type MessagingEvent = Record<string, unknown>;

/** The webhook route (src/webhook/intake), called through Fastify: the sandbox imports no webhook/. */
const WEBHOOK_PATH = '/webhook';

/** The longest a customer's action waits for the service to handle what it delivered. */
const HANDLED_WAIT_MS = 5_000;
const HANDLED_POLL_MS = 20;

/**
 * JSON as Meta writes it: every non-ASCII UTF-16 unit escaped (`é` → `\u00e9`), so the signed
 * bytes are ASCII, exactly like Meta's deliveries.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Sends what simulated customers (and the simulated Page) do as Meta does: a `page` delivery,
 * signed with the app secret (X-Hub-Signature-256), through the real `POST /webhook` route of
 * this application. Fastify's `inject` runs the request through the router, the authentication
 * hook, the body budget, the signature check and the intake exactly as a request from Meta; no
 * socket is involved, so it works before (and without) the server listening.
 */
@Injectable()
export class SandboxWebhook {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  /**
   * Delivers `events` of one Page as one delivery (`entry.time` = the newest event's timestamp)
   * and resolves once it is acknowledged (stored). A refusal becomes the same error here.
   */
  async deliver(pageId: string, events: readonly MessagingEvent[]): Promise<void> {
    const time = events.reduce(
      (newest, event) =>
        Math.max(newest, typeof event.timestamp === 'number' ? event.timestamp : 0),
      0,
    );
    const body = metaJson({
      object: 'page',
      entry: [{ id: pageId, time: time || Date.now(), messaging: events }],
    });
    const signature = createHmac('sha256', this.config.appSecret).update(body).digest('hex');
    const response = await this.fastify().inject({
      method: 'POST',
      url: WEBHOOK_PATH,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${signature}`,
      },
      payload: body,
    });
    if (response.statusCode === 200) return;
    const refusal = safeJson(response.body);
    const retryAfter = response.headers['retry-after'];
    throw new AppError(
      response.statusCode,
      typeof refusal?.code === 'string' ? refusal.code : 'WEBHOOK_REFUSED',
      typeof refusal?.message === 'string'
        ? refusal.message
        : `POST /webhook answered ${response.statusCode}`,
      {},
      typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {},
    );
  }

  /** GET `url` of this application (through Fastify, with the API token), as a client would. */
  get(url: string): Promise<{ statusCode: number; body: string }> {
    return this.fastify().inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${this.config.apiToken}` },
    });
  }

  /**
   * Until `url` answers 200 with a body `ready` accepts: what a customer did shows in the API, so a
   * script's next step (a survey to that customer, reading the scores) sees it. At most
   * HANDLED_WAIT_MS; past that the action is stored all the same and will be handled.
   */
  async handled(url: string, ready: (body: unknown) => boolean = () => true): Promise<void> {
    const deadline = Date.now() + HANDLED_WAIT_MS;
    for (;;) {
      const res = await this.get(url);
      if (res.statusCode === 200 && ready(JSON.parse(res.body))) return;
      if (Date.now() > deadline) return;
      await sleep(HANDLED_POLL_MS);
    }
  }

  private fastify(): FastifyInstance {
    return this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
  }
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
