import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EventProcessor } from './event-processor.service';
import { InboxRepository, InboxRow } from './inbox.repository';
import { PUBLISH_LEASE_MS, StoredEvent } from './inbox-writer.service';
import { parseEvent } from './messenger-event.parser';

const CLAIM_BATCH = 500;

/** Rebuilds the domain event from its stored row, exactly as the parser built it at intake. */
export function toStoredEvent(row: InboxRow): StoredEvent {
  const context = {
    object: row.object,
    pageId: row.pageId,
    source: row.source,
    entryTime: row.entryTime === null ? null : Number(row.entryTime),
  };
  return { id: row.id, event: parseEvent(row.payload, context) };
}

/**
 * At start and then on an interval, claims events that were stored but not processed (the process
 * died, a handler failed and its backoff has passed) and publishes them again.
 */
@Injectable()
export class EventSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly inbox: InboxRepository,
    private readonly processor: EventProcessor,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.webhookSweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One pass; returns how many events it claimed. Passes never overlap. */
  sweep(): Promise<number> {
    this.sweeping ??= this.claimAndPublish().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async claimAndPublish(): Promise<number> {
    // Claim only what this process can take now, so that other replicas get the rest.
    if (this.processor.backlog >= CLAIM_BATCH) return 0;
    try {
      const rows = await this.inbox.claimDue(CLAIM_BATCH - this.processor.backlog, PUBLISH_LEASE_MS);
      if (rows.length > 0) this.logger.log(`republishing ${rows.length} stored event(s)`);
      this.processor.enqueue(rows.map(toStoredEvent));
      return rows.length;
    } catch (error) {
      this.logger.warn(`sweep failed: ${String(error)}`);
      return 0;
    }
  }
}
