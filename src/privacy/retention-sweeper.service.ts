import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DatabaseOutage } from '../database/database-outage.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import {
  CONTENT_TARGETS,
  RAW_TARGETS,
  RetentionRepository,
  type RetentionTarget,
} from './retention.repository';

const DAY_MS = 86_400_000;
/** Dedupe keys live on webhook_events: Meta retries for 36 hours; a week leaves room. */
export const DEDUPE_KEEP_DAYS = 7;
/** Rows per batch: each a few milliseconds, so the intake never queues behind one. */
const BATCH = 1_000;
/** Between batches: the intake's statements go first. */
const PAUSE_MS = 20;

export type RetentionCounts = Record<string, number>;

/**
 * The retention job (README, "Privacy and retention"): every RETENTION_SWEEP_INTERVAL_MS it deletes
 * raw deliveries and inbox events past their time, and conversation content past
 * MESSAGE_RETENTION_DAYS when set, in small batches under one advisory lock (replicas never prune
 * at once). Times come from the Clock.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<RetentionCounts> | null = null;
  private stopped = false;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.retentionSweepIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** One pass (passes never overlap); what it removed by table. */
  sweep(): Promise<RetentionCounts> {
    this.sweeping ??= this.pass().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async pass(): Promise<RetentionCounts> {
    const now = this.clock.now().getTime();
    const rawDays = this.config.rawRetentionDays;
    const ago = (days: number): Date => new Date(now - days * DAY_MS);
    const plan: [RetentionTarget, Date][] = [
      [RAW_TARGETS.deliveries, ago(rawDays)],
      [RAW_TARGETS.redeliveries, ago(rawDays)],
      [RAW_TARGETS.processedEvents, ago(Math.max(rawDays, DEDUPE_KEEP_DAYS))],
      [RAW_TARGETS.unhandledEvents, ago(Math.max(rawDays * 3, DEDUPE_KEEP_DAYS))],
    ];
    const messageDays = this.config.messageRetentionDays;
    if (messageDays !== null) {
      for (const target of CONTENT_TARGETS) plan.push([target, ago(messageDays)]);
    }
    const counts: RetentionCounts = {};
    try {
      for (const [target, cutoff] of plan) {
        const below = await this.retention.boundary(target, cutoff);
        for (;;) {
          if (this.stopped) return counts;
          const removed = await this.retention.batch(target, cutoff, BATCH, below);
          if (removed === null) return counts; // another replica is pruning
          counts[target.name] = (counts[target.name] ?? 0) + removed;
          if (removed < BATCH) break;
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        }
      }
    } catch (error) {
      if (!this.outage.jobFailed(error))
        this.logger.warn(`retention pass failed: ${String(error)}`);
    }
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (total > 0) this.logger.log(`retention removed ${total} row(s): ${JSON.stringify(counts)}`);
    return counts;
  }
}
