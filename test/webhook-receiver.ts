import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request an outbound-webhook receiver got. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed: `{type, timestamp, data}`. */
  json: { type: string; timestamp: string; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** How the receiver answers: a status (and headers), or never (the connection is left hanging). */
export type ReceiverAnswer =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { hang: true }
  | { trickle: true };

/**
 * A real HTTP server on loopback standing for a business's system: it records what it gets and
 * answers as told (200 by default). Its `verify` checks a request's Standard Webhooks signature
 * with the `standardwebhooks` package, as a receiver would.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: ReceiverAnswer = { status: 200, body: 'ok' };
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks'): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        receiver.received.push({
          headers: req.headers,
          body,
          json: JSON.parse(body) as ReceivedWebhook['json'],
        });
        receiver.respond(res);
      });
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The requests of one event type. */
  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.json.type === type);
  }

  /** Verifies with the standardwebhooks package (which also checks the timestamp is within 5 min of now). */
  static verify(secret: string, request: ReceivedWebhook): unknown {
    return new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
  }

  /**
   * The signature the package computes for the request's id, timestamp and body: for requests
   * whose timestamp a test clock has moved far from now, where `verify` would refuse the age.
   */
  static expectedSignature(secret: string, request: ReceivedWebhook): string {
    const timestamp = new Date(Number(request.headers['webhook-timestamp']) * 1000);
    return new Webhook(secret).sign(String(request.headers['webhook-id']), timestamp, request.body);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private respond(res: ServerResponse): void {
    const answer = this.answer;
    if ('hang' in answer) {
      this.hanging.add(res);
      return;
    }
    if ('trickle' in answer) {
      // Headers at once, then a byte now and then, never the end: the body must be timed out too.
      this.hanging.add(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? '');
  }
}
