import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HandlerObserver } from '../events/handler-observer';
import { DatabaseService } from '../database/database.service';

/**
 * Every metric of the service, in a registry of this application's own (not prom-client's global
 * one: several applications may run in one process, as the specs and the demo writer start them,
 * and a metric registered twice in one registry throws).
 *
 * No label holds an unbounded value (an id, a Page id, a mid, a text): only words from fixed lists
 * (outcomes, event kinds, statuses, survey types, handler modules, known Meta error codes).
 */
@Injectable()
export class Metrics implements HandlerObserver, OnApplicationShutdown {
  readonly registry = new Registry();

  readonly deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'POST /webhook requests by outcome (accepted, invalid_signature, invalid_body, too_large, unsupported_media_type, unavailable, timeout, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly acknowledgement = new Histogram({
    name: 'webhook_acknowledgement_seconds',
    help: 'Time from a delivery request to its answer, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [this.registry],
  });

  readonly eventsReceived = new Counter({
    name: 'webhook_events_received_total',
    help: 'Events stored from deliveries (duplicates excluded), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly duplicates = new Counter({
    name: 'webhook_events_duplicate_total',
    help: 'Events of deliveries that were already stored (Meta sending a delivery again)',
    registers: [this.registry],
  });

  readonly eventOutcomes = new Counter({
    name: 'webhook_events_outcome_total',
    help: 'Outcomes of handling stored events: processed, failed (to be retried) or dead',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly handlerDuration = new Histogram({
    name: 'event_handler_duration_seconds',
    help: 'Time each module took to handle one event',
    labelNames: ['module'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  readonly handlerFailures = new Counter({
    name: 'event_handler_failures_total',
    help: 'Events a module failed to handle (the error is on the stored event)',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });

  readonly graphSends = new Counter({
    name: 'graph_sends_total',
    help: 'Send API calls for surveys by outcome (sent, failed) and Meta error code (none, a known code, other)',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });

  readonly surveys = new Counter({
    name: 'surveys_total',
    help: 'Surveys by what happened to them (sent, failed, answered, expired) and type (csat, nps, ces)',
    labelNames: ['event', 'type'] as const,
    registers: [this.registry],
  });

  readonly outboundDeliveries = new Counter({
    name: 'outbound_webhook_attempts_total',
    help: 'Attempts to deliver outbound webhooks, by outcome (delivered, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(database: DatabaseService) {
    const { pool } = database;
    new Gauge({
      name: 'database_pool_connections',
      help: 'Connections of the database pool: total, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    // Process metrics, among them the event-loop lag (nodejs_eventloop_lag_seconds and its
    // percentiles) and heap use.
    collectDefaultMetrics({ register: this.registry });
  }

  handled(module: string, seconds: number, failed: boolean): void {
    this.handlerDuration.observe({ module }, seconds);
    if (failed) this.handlerFailures.inc({ module });
  }

  /** Stops the event-loop delay monitor of the default metrics. */
  onApplicationShutdown(): void {
    this.registry.clear();
  }
}

/** Meta error codes worth a series of their own; any other code is counted as `other`. */
const KNOWN_GRAPH_CODES = new Set([1, 2, 4, 10, 17, 32, 100, 190, 368, 551, 613]);

/** A Meta error code as a bounded label. */
export function graphCodeLabel(code: number | null): string {
  if (code === null) return 'none';
  if (KNOWN_GRAPH_CODES.has(code) || (code >= 200 && code < 300)) return String(code);
  return 'other';
}
