import {
  Injectable,
  Logger,
  OnApplicationShutdown,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus';
import { InboxRepository } from './inbox.repository';
import type { StoredEvent } from './inbox-writer.service';

const MAX_CONCURRENT = 16;
const MAX_QUEUED = 20_000;
const MARK_BATCH = 500;

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
  private processed: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private marking: Promise<void> = Promise.resolve();
  private stopped = false;
  private waiters: { below: number; resolve: () => void }[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly inbox: InboxRepository,
    private readonly config: AppConfig,
  ) {}

  /** Queues events for publication; returns at once. */
  enqueue(events: StoredEvent[]): void {
    const overflow: string[] = [];
    for (const item of events) {
      // Unknown events are for operators, with no handler: marking them processed would take
      // them off the operators' list.
      if (item.event.kind === 'unknown') continue;
      if (this.stopped || this.queue.length >= MAX_QUEUED) overflow.push(item.id);
      else this.queue.push(item);
    }
    this.pump();
    // Stored events this process does not take (stopping, or a backlog beyond what memory should
    // hold) stay pending in the inbox, released to the sweeper of any replica rather than left
    // under this process's lease.
    // Chained on the outcome writes, so that shutdown waits for it before the pool closes.
    if (overflow.length > 0) this.marking = this.marking.then(() => this.release(overflow));
  }

  private async release(ids: string[]): Promise<void> {
    try {
      await this.inbox.release(ids);
    } catch (error) {
      // Still pending: the sweeper takes them once the lease has passed.
      this.logger.warn(`could not release ${ids.length} events to the sweeper: ${String(error)}`);
    }
  }

  /** How many events are queued or being handled in this process. */
  get backlog(): number {
    return this.queue.length + this.running;
  }

  /** Stops taking events and waits for those in hand, before the HTTP server and pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.idle();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushProcessed();
  }

  /** Resolves once nothing is queued or running and every outcome is written. */
  async idle(): Promise<void> {
    await this.backlogBelow(1);
    await this.flushProcessed();
  }

  /** Resolves once fewer than `below` events are queued or running here. */
  backlogBelow(below: number): Promise<void> {
    if (this.backlog < below) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below, resolve }));
  }

  private pump(): void {
    while (this.running < MAX_CONCURRENT && this.queue.length > 0) {
      const item = this.queue.shift() as StoredEvent;
      this.running++;
      void this.handle(item).finally(() => {
        this.running--;
        this.pump();
        this.wakeWaiters();
      });
    }
  }

  private wakeWaiters(): void {
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => this.backlog >= waiter.below);
    for (const waiter of waiting) if (!this.waiters.includes(waiter)) waiter.resolve();
  }

  private async handle({ id, event }: StoredEvent): Promise<void> {
    try {
      await this.bus.publish(event);
    } catch (error) {
      await this.recordFailure(id, error);
      return;
    }
    this.processed.push(id);
    if (this.processed.length >= MARK_BATCH) void this.flushProcessed();
    else this.markTimer ??= setTimeout(() => void this.flushProcessed(), 20);
  }

  private async recordFailure(id: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      // Jitter spreads the retries of events that failed together (a database blip).
      const jitter = 0.5 + Math.random();
      await this.inbox.markFailed(
        id,
        message,
        this.config.webhookMaxAttempts,
        this.config.webhookRetryBaseMs,
        jitter,
      );
    } catch (markError) {
      // The event stays pending under its lease; the sweeper will try it again.
      this.logger.error(`could not record the failure of event ${id}: ${String(markError)}`);
    }
    this.logger.warn(`event ${id} failed: ${message}`);
  }

  private flushProcessed(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const ids = this.processed;
    this.processed = [];
    this.marking = this.marking.then(async () => {
      try {
        await this.inbox.markProcessed(ids);
      } catch (error) {
        // Not lost: unmarked events are published again by the sweeper (handlers are idempotent).
        this.logger.error(`could not mark ${ids.length} events processed: ${String(error)}`);
      }
    });
    return this.marking;
  }
}
