import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../config/app-config';
import { GraphEndpoint } from '../surveys/graph/graph-endpoint';
import { SandboxOutbox } from './sandbox-outbox';
import { newMid, SANDBOX_APP_ID } from './sandbox-ids';
import { SandboxWebhook } from './sandbox-webhook';

/** A Meta error the next Send API requests answer with (POST /api/sandbox/graph/failures). */
export interface InjectedFailure {
  code: number;
  errorSubcode: number | null;
  message: string | null;
}

/** Failures waiting, all requests together: each is one request, so a few hundred is plenty. */
export const MAX_PENDING_FAILURES = 1_000;
/** The Send API takes small JSON bodies; anything larger is refused unread. */
const BODY_LIMIT = 256 * 1024;
/** The longest a request to the simulator may take to arrive whole. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Echo deliveries still running at shutdown are waited for this long at most. */
const SHUTDOWN_WAIT_MS = 5_000;

/** Meta's default text of the error codes one is likely to inject. */
const MESSAGES: Record<number, string> = {
  1: 'An unknown error occurred',
  2: 'Service temporarily unavailable',
  4: '(#4) Application request limit reached',
  10: '(#10) This message is sent outside of allowed window.',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  100: '(#100) Invalid parameter',
  190: 'Invalid OAuth access token - Cannot parse access token',
  200: '(#200) Permissions error',
  368: '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
  551: "(#551) This person isn't available right now.",
  613: '(#613) Calls to this api have exceeded the rate limit.',
};

/** Meta answers its unknown-error and service-unavailable codes with a 500, the others with 400. */
export function metaHttpStatus(code: number): number {
  return code === 1 || code === 2 ? 500 : 400;
}

/** Meta's error body. */
export function metaErrorBody(
  code: number,
  errorSubcode: number | null,
  message: string | null,
): { error: Record<string, unknown> } {
  return {
    error: {
      message: message ?? MESSAGES[code] ?? `(#${code}) Simulated error`,
      type: 'OAuthException',
      code,
      ...(errorSubcode !== null && { error_subcode: errorSubcode }),
      fbtrace_id: `A${randomBytes(16).toString('base64url')}`,
    },
  };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The sandbox's Graph API: answers the Send API (`POST /{version}/me/messages` or
 * `/{version}/{page-id}/messages`) and `GET /{version}/me` as Meta does, for the sandbox Page's
 * token only, on its own HTTP listener on 127.0.0.1 with a port of its own (never on the public
 * surface). The service's real Graph client reaches it over HTTP (GraphEndpoint points it here),
 * so retries, timeouts and error classes run as in production. Each message sent is kept in the
 * customer's outbox, and Meta's echo and delivery receipt come back through POST /webhook.
 */
@Injectable()
export class GraphSimulator
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(GraphSimulator.name);
  private server: Server | null = null;
  private readonly failures: InjectedFailure[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly pageId: string;
  private readonly token: Buffer;

  constructor(
    config: AppConfig,
    private readonly endpoint: GraphEndpoint,
    private readonly outbox: SandboxOutbox,
    private readonly webhook: SandboxWebhook,
  ) {
    const sandbox = config.sandbox;
    if (sandbox === null) throw new Error('GraphSimulator needs MESSENGER_SANDBOX');
    this.pageId = sandbox.pageId;
    this.token = digest(sandbox.pageToken);
  }

  async onModuleInit(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.endpoint.simulateAt(`http://127.0.0.1:${port}`);
    this.logger.log(`sandbox: simulated Graph API on 127.0.0.1:${port}, Page ${this.pageId}`);
  }

  /** Echoes being delivered finish first (bounded): they go through the app being stopped. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.endpoint.simulateAt(null);
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` Send API requests fail with this error. Returns how many are waiting. */
  injectFailures(count: number, failure: InjectedFailure): number | null {
    if (this.failures.length + count > MAX_PENDING_FAILURES) return null;
    for (let i = 0; i < count; i++) this.failures.push({ ...failure });
    return this.failures.length;
  }

  get pendingFailures(): number {
    return this.failures.length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        refused = true;
        this.answer(res, 413, metaErrorBody(100, null, '(#100) Request body is too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) this.route(req, Buffer.concat(chunks).toString('utf8'), res);
    });
    req.on('error', () => res.destroy());
  }

  private route(req: IncomingMessage, rawBody: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v\d+\.\d+\/([^/]+)(\/messages)?\/?$/.exec(url.pathname);
    if (match === null) {
      this.answer(res, 400, metaErrorBody(2500, null, `Unknown path components: ${url.pathname}`));
      return;
    }
    if (!this.authorised(req, url)) {
      this.answer(res, 400, metaErrorBody(190, null, null));
      return;
    }
    const [, node, messages] = match;
    if (node !== 'me' && node !== this.pageId) {
      this.answer(
        res,
        400,
        metaErrorBody(100, 33, `Unsupported request: object ${node} does not exist`),
      );
      return;
    }
    if (messages === undefined && req.method === 'GET') {
      this.answer(res, 200, { id: this.pageId, name: 'Sandbox Page' });
    } else if (messages !== undefined && req.method === 'POST') {
      this.send(rawBody, res);
    } else {
      this.answer(res, 400, metaErrorBody(100, null, `Unsupported ${req.method} request`));
    }
  }

  private authorised(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const token = bearer ?? url.searchParams.get('access_token');
    return token !== null && token !== undefined && timingSafeEqual(digest(token), this.token);
  }

  /** POST …/messages: a failure injected, a malformed request refused, else sent and kept. */
  private send(rawBody: string, res: ServerResponse): void {
    const failure = this.failures.shift();
    if (failure !== undefined) {
      this.answer(
        res,
        metaHttpStatus(failure.code),
        metaErrorBody(failure.code, failure.errorSubcode, failure.message),
      );
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      body = parsed as Record<string, unknown>;
    } catch {
      this.answer(res, 400, metaErrorBody(100, null, '(#100) The request body is not valid JSON'));
      return;
    }
    const recipient = body.recipient as { id?: unknown } | undefined;
    const psid = typeof recipient?.id === 'string' ? recipient.id : null;
    if (psid === null || psid === '' || psid.length > 128) {
      this.answer(res, 400, metaErrorBody(100, 2018001, '(#100) No matching user found'));
      return;
    }
    if (typeof body.sender_action === 'string') {
      this.answer(res, 200, { recipient_id: psid });
      return;
    }
    const message = body.message;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.answer(res, 400, metaErrorBody(100, null, '(#100) param message must be non-empty.'));
      return;
    }
    const mid = newMid();
    const timestamp = Date.now();
    this.outbox.record(psid, {
      mid,
      sentAt: new Date(timestamp),
      messagingType: typeof body.messaging_type === 'string' ? body.messaging_type : null,
      tag: typeof body.tag === 'string' ? body.tag : null,
      message: message as Record<string, unknown>,
    });
    this.answer(res, 200, { recipient_id: psid, message_id: mid });
    this.echo(psid, mid, timestamp, message as Record<string, unknown>);
  }

  /** Meta's echo of what the Page sent and the customer's delivery receipt, as one delivery. */
  private echo(
    psid: string,
    mid: string,
    timestamp: number,
    message: Record<string, unknown>,
  ): void {
    // The Send API takes one `attachment`; echoes carry `attachments`, as received messages do.
    const { attachment, ...fields } = message;
    const echoed = {
      ...fields,
      ...(attachment !== undefined && { attachments: [attachment] }),
      mid,
      is_echo: true,
      app_id: SANDBOX_APP_ID,
    };
    const delivered = this.webhook
      .deliver(this.pageId, [
        {
          sender: { id: this.pageId },
          recipient: { id: psid },
          timestamp,
          message: echoed,
        },
        {
          sender: { id: psid },
          recipient: { id: this.pageId },
          timestamp: timestamp + 1,
          delivery: { mids: [mid], watermark: timestamp },
        },
      ])
      .catch((error: unknown) =>
        this.logger.warn(`sandbox: echo of ${mid} not delivered: ${String(error)}`),
      );
    this.pending.add(delivered);
    void delivered.finally(() => this.pending.delete(delivered));
  }

  private answer(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  }
}
