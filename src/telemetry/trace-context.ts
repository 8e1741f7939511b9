import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
} from '@opentelemetry/api';

// The OpenTelemetry API alone: without a started SDK (tracing off) every call below is a no-op
// that records nothing.

/** The W3C `traceparent` of the span active now (the intake request's), or null when none. */
export function currentTraceparent(): string | null {
  if (trace.getActiveSpan() === undefined) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

const tracer = trace.getTracer('messenger-feedback');

/** Set by startTracing: processing spans are started only then. */
let tracing = false;
export function enableProcessingSpans(): void {
  tracing = true;
}

/**
 * Runs `work` as the processing span of one stored event: a root span of its own (processing is
 * not part of the request that stored the event, and may run in another process much later),
 * linked to the intake span through the event's stored `traceparent`.
 */
export function inProcessingSpan<T>(
  kind: string,
  traceparent: string | null | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracing) return work();
  const links: Link[] = [];
  if (traceparent) {
    const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
    if (linked !== undefined) links.push({ context: linked });
  }
  return tracer.startActiveSpan(
    `process ${kind}`,
    { root: true, kind: SpanKind.CONSUMER, links, attributes: { 'messenger.event.kind': kind } },
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
