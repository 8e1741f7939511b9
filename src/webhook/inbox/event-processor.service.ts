import {
  Injectable,
  Logger,
  OnApplicationShutdown,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics';
import { inProcessingSpan } from '../../telemetry/trace-context';
import { EventBus } from '../../events/event-bus';
import { assertProcessable, permanentReason } from '../../events/permanent-event.error';
import { InboxRepository } from './inbox.repository';
import { IntakeLoad } from '../../events/intake-load';
import type { SqlClient } from '../../database/transaction';
import { OutboundEvents } from '../../outbound/outbound-events.service';
import type { InboxRow, StoredEvent } from './stored-event';
import { toWebhookEventDto } from './webhook-event-view';

const MAX_CONCURRENT = 16;
/** While the intake is pressed (IntakeLoad), handlers trickle: one event at a time, this far apart. */
const TRICKLE_MS = 10;
export const MAX_QUEUED = 20_000;
const MARK_BATCH = 500;

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Publishes stored events on the bus and records each outcome on the event: processed (in
 * batches), or failed with its error and a backoff, or dead after the last attempt. Events it
 * cannot take now stay pending in the inbox, where the sweeper finds them.
 */
@Injectable()
export class EventProcessor implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EventProcessor.name);
  private readonly queue: StoredEvent[] = [];
  private running = 0;
  private reserved = 0;
  private processed: string[] = [];
  private released: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private trickle: NodeJS.Timeout | null = null;
  private marking: Promise<void> = Promise.resolve();
  private stopped = false;
  private waiters: { below: number; resolve: () => void }[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly inbox: InboxRepository,
    private readonly intake: IntakeLoad,
    private readonly config: AppConfig,
    private readonly outbound: OutboundEvents,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Reserves queue room for `count` events about to be stored; false when there is none. Room is
   * reserved before the write: counted only after it, the deliveries committed together would all
   * count the same free places, and the events of all but the first would then be released again,
   * one UPDATE per batch, which under a burst cost PostgreSQL more than the intake itself.
   */
  reserve(count: number): boolean {
    // An intake handles nothing: what it stores is due at once, for the workers.
    if (!this.config.handlesEvents) return false;
    if (this.stopped || this.queue.length + this.reserved + count > MAX_QUEUED) return false;
    this.reserved += count;
    return true;
  }

  /** Gives back room reserved for events that were not stored after all. */
  unreserve(count: number): void {
    this.reserved -= count;
  }

  /** Queues events for publication (stored under a reservation of `reserved`); returns at once. */
  enqueue(events: StoredEvent[], reserved = 0): void {
    this.unreserve(reserved);
    for (const item of events) {
      // Unknown events are for operators, with no handler: marking them processed would take
      // them off the operators' list.
      if (item.event.kind === 'unknown') continue;
      // Stored events this process does not take (stopping, or a backlog beyond what memory
      // should hold) stay pending in the inbox, released to the sweeper of any replica rather
      // than left under this process's lease.
      if (this.stopped || !this.config.handlesEvents || this.queue.length >= MAX_QUEUED) {
        this.released.push(item.id);
      } else this.queue.push(item);
    }
    this.pump();
    if (this.released.length > 0) this.scheduleOutcomes();
  }

  /** How many events are queued or being handled in this process. */
  get backlog(): number {
    return this.queue.length + this.running;
  }

  /** How many events are being handled in this process right now. */
  get handling(): number {
    return this.running;
  }

  /** Stops taking events and waits for those in hand, before the HTTP server and pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Left to the sweeper of any replica (or of the next start) at once, not after the lease.
    for (const item of this.queue) this.released.push(item.id);
    this.queue.length = 0;
    if (this.trickle) clearTimeout(this.trickle);
    await this.idle();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushOutcomes();
  }

  /** Resolves once nothing is queued or running and every outcome is written. */
  async idle(): Promise<void> {
    await this.backlogBelow(1);
    await this.flushOutcomes();
  }

  /** Resolves once fewer than `below` events are queued or running here. */
  backlogBelow(below: number): Promise<void> {
    if (this.backlog < below) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below, resolve }));
  }

  private pump(): void {
    if (!this.intake.pressed) {
      while (this.running < MAX_CONCURRENT && this.queue.length > 0) this.start();
    } else if (this.running === 0 && this.queue.length > 0) {
      this.trickle ??= setTimeout(() => {
        this.trickle = null;
        if (this.running === 0 && this.queue.length > 0) this.start();
        this.pump();
      }, TRICKLE_MS);
    }
  }

  private start(): void {
    const item = this.queue.shift() as StoredEvent;
    this.running++;
    void this.handle(item).finally(() => {
      this.running--;
      this.pump();
      this.wakeWaiters();
    });
  }

  private wakeWaiters(): void {
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => this.backlog >= waiter.below);
    for (const waiter of waiting) if (!this.waiters.includes(waiter)) waiter.resolve();
  }

  private async handle({ id, event, traceContext }: StoredEvent): Promise<void> {
    try {
      assertProcessable(event);
      await inProcessingSpan(event.kind, traceContext, () => this.bus.publish(event));
    } catch (error) {
      const permanent = permanentReason(error);
      if (permanent === null) await this.recordFailure(id, error);
      else await this.recordDead(id, error, permanent);
      return;
    }
    this.processed.push(id);
    this.scheduleOutcomes();
  }

  /** Outcomes are written in batches: at once when one is full, else after a short wait. */
  private scheduleOutcomes(): void {
    if (this.processed.length + this.released.length >= MARK_BATCH) void this.flushOutcomes();
    else this.markTimer ??= setTimeout(() => void this.flushOutcomes(), 20);
  }

  /** webhook_event.dead, on the transaction that makes the event dead. */
  private reportDead(tx: SqlClient, row: InboxRow): Promise<void> {
    return this.outbound.record(tx, [{ type: 'webhook_event.dead', data: toWebhookEventDto(row) }]);
  }

  /** An event no attempt can process: dead at once, with why, for an operator to look at. */
  private async recordDead(id: string, error: unknown, reason: string): Promise<void> {
    try {
      await this.inbox.markDead(id, errorText(error), reason, (tx, row) =>
        this.reportDead(tx, row),
      );
      this.metrics.eventOutcomes.inc({ status: 'dead' });
    } catch (markError) {
      // Still pending under its lease: the sweeper tries it again and it fails the same way.
      this.logger.error(`could not set event ${id} aside: ${String(markError)}`);
    }
    this.logger.warn(`event ${id} can never be processed: ${reason}`);
  }

  private async recordFailure(id: string, error: unknown): Promise<void> {
    const message = errorText(error);
    try {
      // Jitter spreads the retries of events that failed together (a database blip).
      const jitter = 0.5 + Math.random();
      let dead = false;
      await this.inbox.markFailed(
        id,
        message,
        this.config.webhookMaxAttempts,
        this.config.webhookRetryBaseMs,
        jitter,
        (tx, row) => {
          dead = true;
          return this.reportDead(tx, row);
        },
      );
      this.metrics.eventOutcomes.inc({ status: dead ? 'dead' : 'failed' });
    } catch (markError) {
      // The event stays pending under its lease; the sweeper will try it again.
      this.logger.error(`could not record the failure of event ${id}: ${String(markError)}`);
    }
    this.logger.warn(`event ${id} failed: ${message}`);
  }

  /** Writes the outcomes gathered so far; chained, so that shutdown waits for them before the pool closes. */
  private flushOutcomes(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const { processed, released } = this;
    this.processed = [];
    this.released = [];
    this.marking = this.marking.then(async () => {
      try {
        await this.inbox.markProcessed(processed);
        if (processed.length > 0)
          this.metrics.eventOutcomes.inc({ status: 'processed' }, processed.length);
      } catch (error) {
        // Not lost: unmarked events are published again by the sweeper (handlers are idempotent).
        this.logger.error(`could not mark ${processed.length} events processed: ${String(error)}`);
      }
      try {
        await this.inbox.release(released);
      } catch (error) {
        // Still pending: the sweeper takes them once the lease has passed.
        this.logger.warn(
          `could not release ${released.length} events to the sweeper: ${String(error)}`,
        );
      }
    });
    return this.marking;
  }
}
