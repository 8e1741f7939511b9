import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { OutboundEvents } from '../outbound/outbound-events.service';
import { SurveyRepository } from './survey.repository';
import { toSurveyDetailDto } from './survey-view';

const INTERVAL_MS = 60_000;
const BATCH = 1_000;

/**
 * Marks surveys whose expiresAt has passed without an answer as expired, at start and then every
 * minute. Reads do not wait for it: a survey past its expiry already reads as expired.
 */
@Injectable()
export class SurveyExpiry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SurveyExpiry.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private next: Promise<number> | null = null;

  constructor(
    private readonly surveys: SurveyRepository,
    private readonly outbound: OutboundEvents,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Background jobs run on workers (and `all`), not on an intake.
    if (!this.config.handlesEvents) return;
    void this.expireDue();
    this.timer = setInterval(() => void this.expireDue(), INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One pass over every survey due now. Passes never overlap: a call during a pass gets one more
   * pass right after it (shared by every such call), so whatever was due when it was called is
   * covered. Resolves with how many surveys that pass expired.
   */
  expireDue(): Promise<number> {
    if (this.running !== null) {
      this.next ??= this.running.then(() => {
        this.next = null;
        return this.expireDue();
      });
      return this.next;
    }
    this.running = this.expireAll().finally(() => (this.running = null));
    return this.running;
  }

  private async expireAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const now = this.clock.now();
        // survey.expired for each, committed with the status change.
        let types: string[] = [];
        const expired = await this.surveys.expireDue(now, BATCH, (tx, rows) => {
          types = rows.map((row) => row.type);
          return this.outbound.record(
            tx,
            rows.map((row) => ({ type: 'survey.expired', data: toSurveyDetailDto(row, now) })),
          );
        });
        // Counted once committed.
        for (const type of types) this.metrics.surveys.inc({ event: 'expired', type });
        total += expired;
        if (expired < BATCH) break;
      }
    } catch (error) {
      // Not lost: the next pass takes what this one left.
      this.logger.error(`could not expire surveys: ${String(error)}`);
    }
    if (total > 0) this.logger.log(`${total} survey(s) expired`);
    return total;
  }
}
