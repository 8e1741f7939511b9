import { Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../../database/database-errors';
import { InboxRepository } from './inbox.repository';
import { AppConfig } from '../../config/app-config';
import { IntakeLoad } from '../../events/intake-load';
import { DeliveryToStore, StoredEvent } from './stored-event';
const MAX_BATCH_EVENTS = 5_000;
/** Bodies are sent as one statement: keep it far below V8's and PostgreSQL's limits. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

interface Waiting {
  delivery: DeliveryToStore;
  resolve: (stored: StoredEvent[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: deliveries that arrive while a write is in flight are written together by the next
 * one, so that under load one statement (one commit) serves many requests. Nobody is answered
 * before the statement holding their delivery has committed.
 */
@Injectable()
export class InboxWriter {
  private readonly logger = new Logger(InboxWriter.name);
  private readonly waiting: Waiting[] = [];
  private writing = 0;

  constructor(
    private readonly inbox: InboxRepository,
    private readonly config: AppConfig,
    load: IntakeLoad,
  ) {
    load.measuredBy(() => this.pending);
  }

  /** Resolves with the events that were new once the delivery is durably stored. */
  store(delivery: DeliveryToStore): Promise<StoredEvent[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.flush();
    });
  }

  /** Deliveries received and not yet committed: how hard the intake is pressed right now. */
  get pending(): number {
    return this.waiting.length + this.writing;
  }

  /**
   * One write at a time: measured faster than several in parallel, because each commit waits for
   * its WAL flush and a single writer gathers the most deliveries into each one.
   */
  private flush(): void {
    if (this.writing > 0 || this.waiting.length === 0) return;
    const batch = this.takeBatch();
    this.writing = batch.length;
    void this.write(batch).finally(() => {
      this.writing = 0;
      this.flush();
    });
  }

  /** As many waiting deliveries as fit the batch limits (always at least one). */
  private takeBatch(): Waiting[] {
    let events = 0;
    let bytes = 0;
    let count = 0;
    for (const { delivery } of this.waiting) {
      events += delivery.events.length;
      bytes += delivery.body.length;
      if (count > 0 && (events > MAX_BATCH_EVENTS || bytes > MAX_BATCH_BYTES)) break;
      count++;
    }
    return this.waiting.splice(0, count);
  }

  /** One NOTIFY at a time; those asked for meanwhile are folded into the next one. */
  private notifying = false;
  private notifyAgain = false;

  private wakeWorkers(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    this.inbox
      .notifyDue()
      .catch((error: unknown) => {
        // Not lost: the workers' sweep finds the events within WEBHOOK_SWEEP_INTERVAL_MS.
        this.logger.warn(`could not notify the workers: ${String(error)}`);
      })
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.wakeWorkers();
        }
      });
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const ids = await this.inbox.insertDeliveries(
        batch.map((item) => item.delivery),
        this.config.webhookLeaseMs,
      );
      const newEvents = ids.size;
      for (const item of batch) {
        const stored: StoredEvent[] = [];
        for (const { dedupeKey, event } of item.delivery.events) {
          const id = ids.get(dedupeKey);
          // The first copy of a key in the batch takes it; later copies are duplicates.
          if (id !== undefined) {
            ids.delete(dedupeKey);
            stored.push({ id, event, traceContext: item.delivery.traceContext });
          }
        }
        item.resolve(stored);
      }
      // Events stored due at once (not under this process's lease) are for the workers: they are
      // woken now rather than at their next sweep. After the answers: the NOTIFY is not part of
      // what a delivery's acknowledgement waits for.
      if (newEvents > 0 && batch.some((item) => !item.delivery.leased)) this.wakeWorkers();
    } catch (error) {
      // A database that did not answer this write (within DATABASE_TIMEOUT_MS) will not answer the
      // next one either: the deliveries queued behind it are refused now rather than each waiting
      // out the bound again, so every request of an outage answers within one bound. Meta delivers
      // them again; a delivery arriving after this is tried afresh, which is how intake recovers.
      const refused = isDatabaseUnavailable(error) ? batch.concat(this.waiting.splice(0)) : batch;
      for (const item of refused) item.reject(error);
    }
  }
}
