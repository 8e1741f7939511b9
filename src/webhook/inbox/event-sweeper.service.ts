import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { DatabaseOutage } from '../../database/database-outage.service';
import { AppConfig } from '../../config/app-config';
import { EventProcessor } from './event-processor.service';
import { InboxRepository } from './inbox.repository';
import { toStoredEvent } from './stored-event';

const CLAIM_BATCH = 500;

/**
 * At start and then on an interval, claims events that were stored but not processed (the process
 * died, a handler failed and its backoff has passed) and publishes them again.
 */
@Injectable()
export class EventSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;
  /** A wake-up came during a pass: one more pass follows it, so no NOTIFY is slept through. */
  private again = false;
  private stopped = false;
  private wakeOnStop: () => void = () => {};
  private readonly stopping = new Promise<void>((resolve) => (this.wakeOnStop = resolve));

  constructor(
    private readonly inbox: InboxRepository,
    private readonly processor: EventProcessor,
    private readonly config: AppConfig,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    // An intake stores events for the workers and claims none.
    if (!this.config.handlesEvents) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.webhookSweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeOnStop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One pass; returns how many events it claimed. Passes never overlap. */
  sweep(): Promise<number> {
    this.sweeping ??= this.claimAndPublish().finally(() => {
      this.sweeping = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.sweep();
      }
    });
    return this.sweeping;
  }

  /** Work was stored (a NOTIFY): a pass now, or right after the one under way. */
  wake(): void {
    if (this.stopped || !this.config.handlesEvents) return;
    if (this.sweeping) this.again = true;
    else void this.sweep();
  }

  /**
   * Claims due events in batches for as long as there are more, each batch only as large as this
   * process can take now (so that other replicas get the rest), waiting for room in between: a
   * large backlog drains at the speed of the handlers.
   */
  private async claimAndPublish(): Promise<number> {
    let claimed = 0;
    try {
      while (!this.stopped) {
        await Promise.race([this.processor.backlogBelow(CLAIM_BATCH / 2), this.stopping]);
        if (this.stopped) break;
        const room = CLAIM_BATCH - this.processor.backlog;
        const rows = await this.inbox.claimDue(room, this.config.webhookLeaseMs);
        this.processor.enqueue(rows.map(toStoredEvent));
        claimed += rows.length;
        if (rows.length < room) break;
      }
    } catch (error) {
      if (!this.outage.jobFailed(error)) this.logger.warn(`sweep failed: ${String(error)}`);
    }
    if (claimed > 0) this.logger.log(`republished ${claimed} stored event(s)`);
    return claimed;
  }
}
