import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v21.0/1090/messages. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body as received, and parsed when it was JSON. */
  rawBody: string;
  body: unknown;
}

/** What the fake answers to the next request: a status and body, or a dropped connection. */
export type ScriptedResponse =
  | { status?: number; body?: unknown; delayMs?: number; headers?: Record<string, string> }
  | { drop: true; delayMs?: number };

export interface MetaErrorFields {
  message?: string;
  type?: string;
  code: number;
  error_subcode?: number;
  fbtrace_id?: string;
  is_transient?: boolean;
}

/** Meta's error body: `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`. */
export function metaError(status: number, fields: MetaErrorFields): ScriptedResponse {
  return {
    status,
    body: {
      error: {
        message: `(#${fields.code}) An error`,
        type: 'OAuthException',
        fbtrace_id: `trace${fields.code}`,
        ...fields,
      },
    },
  };
}

/**
 * A stand-in for the Graph API on 127.0.0.1 (GRAPH_API_URL): records every request and answers
 * from a script, else like the Send API (`{recipient_id, message_id}`) and GET /me (`{id}`).
 */
export class FakeGraphApi {
  readonly requests: RecordedRequest[] = [];
  /** The id GET /me answers with: the Page of any token. */
  mePageId = '424242';
  private readonly script: ScriptedResponse[] = [];
  private messageCount = 0;
  private readonly delays = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGraphApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGraphApi(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Queues answers for the next requests, in order; afterwards the default answers resume. */
  respondWith(...responses: ScriptedResponse[]): void {
    this.script.push(...responses);
  }

  /** The Send API requests (POST …/messages). */
  get sent(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  async close(): Promise<void> {
    // Delayed answers still pending are never sent.
    for (const timer of this.delays) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    let body: unknown = null;
    try {
      body = rawBody === '' ? null : JSON.parse(rawBody);
    } catch {
      body = null;
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body,
    });
    const scripted = this.script.shift();
    if (scripted?.delayMs) await this.delay(scripted.delayMs);
    if (res.destroyed) return;
    if (scripted && 'drop' in scripted) {
      req.socket.destroy();
      return;
    }
    const { status, body: answer } =
      scripted ?? this.defaultAnswer(req.method ?? '', url.pathname, body);
    res.writeHead(status ?? 200, { 'content-type': 'application/json', ...scripted?.headers });
    res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.add(timer);
    });
  }

  private defaultAnswer(
    method: string,
    path: string,
    body: unknown,
  ): { status: number; body: unknown } {
    if (method === 'GET' && path.endsWith('/me'))
      return { status: 200, body: { id: this.mePageId, name: 'Fake Page' } };
    if (method === 'POST' && path.endsWith('/messages')) {
      const recipient = (body as { recipient?: { id?: unknown } } | null)?.recipient?.id ?? null;
      this.messageCount++;
      return {
        status: 200,
        body: { recipient_id: recipient, message_id: `m_fake_${this.messageCount}` },
      };
    }
    return {
      status: 404,
      body: { error: { message: 'Unknown path', type: 'GraphMethodException', code: 100 } },
    };
  }
}
