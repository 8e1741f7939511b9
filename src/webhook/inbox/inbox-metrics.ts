import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Metrics } from '../../metrics/metrics';
import { InboxRepository } from './inbox.repository';
import { EventProcessor } from './event-processor.service';

/** The backlog is counted up to this many events; beyond, the gauge reads this number. */
export const BACKLOG_COUNT_CAP = 1_000_000;

/**
 * The inbox's gauges, read at scrape time: what waits in the database (one bounded query per
 * scrape, shared by both gauges) and what this process holds in memory.
 */
@Injectable()
export class InboxMetrics {
  private readonly logger = new Logger(InboxMetrics.name);
  private reading: Promise<{ waiting: number; oldestAgeSeconds: number } | null> | null = null;

  constructor(metrics: Metrics, inbox: InboxRepository, processor: EventProcessor) {
    const read = (): Promise<{ waiting: number; oldestAgeSeconds: number } | null> => {
      // The two gauges of one scrape share one query.
      this.reading ??= inbox
        .backlog(BACKLOG_COUNT_CAP)
        .catch((error: unknown) => {
          this.logger.warn(`could not read the inbox backlog: ${String(error)}`);
          return null;
        })
        .finally(() => setImmediate(() => (this.reading = null)));
      return this.reading;
    };
    new Gauge({
      name: 'webhook_inbox_backlog',
      help: `Stored events waiting to be processed (pending or failed to be retried), in the whole database; counted up to ${BACKLOG_COUNT_CAP}`,
      registers: [metrics.registry],
      async collect() {
        const backlog = await read();
        if (backlog !== null) this.set(backlog.waiting);
      },
    });
    new Gauge({
      name: 'webhook_inbox_oldest_waiting_age_seconds',
      help: 'Age of the oldest stored event waiting to be processed (0 when none waits)',
      registers: [metrics.registry],
      async collect() {
        const backlog = await read();
        if (backlog !== null) this.set(backlog.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'webhook_events_in_process',
      help: 'Events this process holds in memory: queued or being handled',
      registers: [metrics.registry],
      collect() {
        this.set(processor.backlog);
      },
    });
  }
}
