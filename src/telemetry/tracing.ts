/**
 * Tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. main.ts imports this file before
 * anything else, because OpenTelemetry's instrumentations patch `http`, `fastify` and `pg` as they
 * are loaded. When the variable is unset nothing of the SDK is loaded (a `require` inside the
 * branch), so tracing costs a stopped service nothing at start and nothing per request.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { enableProcessingSpans } from './trace-context';

let sdk: NodeSDK | null = null;

/** Starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set (empty is unset, as everywhere). */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK: Sdk } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const FastifyOtelInstrumentation = (require('@fastify/otel') as typeof import('@fastify/otel'))
    .FastifyOtelInstrumentation;
  /* eslint-enable @typescript-eslint/no-require-imports */
  sdk = new Sdk({
    serviceName: env.OTEL_SERVICE_NAME || 'messenger-feedback',
    // OTLP over HTTP with JSON bodies, to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces.
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  enableProcessingSpans();
  return true;
}

/** Exports the spans still buffered and stops the SDK (at shutdown). */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = null;
}
