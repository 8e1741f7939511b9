-- The W3C traceparent of the request that stored the event (when tracing is on), so that the span
-- that processes the event, in whatever process and however much later, links to the intake span.
ALTER TABLE "webhook_events" ADD COLUMN "trace_context" TEXT;
