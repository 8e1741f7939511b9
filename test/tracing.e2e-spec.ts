import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delivery, textMessage } from './messenger-factories';
import {
  buildOnce,
  freePort,
  ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from './service-process';
import { API_TOKEN, APP_SECRET, sign, VERIFY_TOKEN } from './test-app';
import { TestDatabase } from './test-database';

/** A span as OTLP/HTTP's JSON encoding carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  links?: { traceId: string; spanId: string }[];
  attributes?: { key: string; value: { stringValue?: string; intValue?: string } }[];
}

/** A local OTLP/HTTP receiver: what the service's exporter posts to /v1/traces, as spans. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  readonly contentTypes = new Set<string>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.contentTypes.add(String(req.headers['content-type']));
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const resource of body.resourceSpans)
            for (const scope of resource.scopeSpans) receiver.spans.push(...scope.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    return receiver;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const attribute = (span: OtlpSpan, key: string): string | undefined => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
};

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let receiver: OtlpReceiver;
  let database: TestDatabase | null;
  let dataDir: string;
  let service: ServiceProcess;
  let port: number;

  beforeAll(async () => {
    buildOnce();
    receiver = await OtlpReceiver.start();
    database = await TestDatabase.create();
    dataDir = mkdtempSync(join(tmpdir(), 'mf-tracing-'));
    port = await freePort();
    service = startService({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url, MIGRATE_ON_START: 'false' } : {}),
      MESSENGER_APP_SECRET: APP_SECRET,
      MESSENGER_VERIFY_TOKEN: VERIFY_TOKEN,
      API_TOKEN,
      MESSENGER_SANDBOX: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Spans leave in batches; a short delay keeps the spec short.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await waitForHealth(port, service);
  }, 120_000);
  afterAll(async () => {
    if (service) await stopService(service);
    await receiver?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports the intake span and a processing span linked to it', async () => {
    const body = JSON.stringify(delivery([textMessage('m.traced', 'hi')]));
    const res = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body,
    });
    expect(res.status).toBe(200);

    const deadline = Date.now() + 20_000;
    let processing: OtlpSpan | undefined;
    let intake: OtlpSpan | undefined;
    while (Date.now() < deadline) {
      processing = receiver.spans.find((s) => s.name === 'process message');
      intake = receiver.spans.find(
        (s) =>
          s.kind === 2 && // SERVER: the HTTP instrumentation's span of the request
          (attribute(s, 'http.method') ?? attribute(s, 'http.request.method')) === 'POST' &&
          (attribute(s, 'http.target') ?? attribute(s, 'url.path')) === '/webhook',
      );
      if (processing && intake) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(receiver.contentTypes).toEqual(new Set(['application/json']));
    expect(intake).toBeDefined();
    expect(processing).toBeDefined();
    const { traceId } = intake as OtlpSpan;
    const span = processing as OtlpSpan;
    // A trace of its own (processing may run much later, in another process)...
    expect(span.parentSpanId ?? '').toBe('');
    expect(span.traceId).not.toBe(traceId);
    // ...linked to a span of the intake request's trace.
    expect(span.links).toHaveLength(1);
    const [link] = span.links ?? [];
    expect(link.traceId).toBe(traceId);
    const intakeTrace = receiver.spans.filter((s) => s.traceId === traceId);
    expect(intakeTrace.map((s) => s.spanId)).toContain(link.spanId);
    // Fastify's spans are in the intake trace, and the handlers' queries under the processing span.
    expect(intakeTrace.length).toBeGreaterThan(1);
    const queries = receiver.spans.filter(
      (s) => s.traceId === span.traceId && s.parentSpanId === span.spanId,
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(
      queries.some(
        (q) => (attribute(q, 'db.system') ?? attribute(q, 'db.system.name')) === 'postgresql',
      ),
    ).toBe(true);
  }, 60_000);
});
