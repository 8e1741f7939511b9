import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SurveyRepository } from './survey.repository';

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

  constructor(private readonly surveys: SurveyRepository) {}

  onApplicationBootstrap(): void {
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
        const expired = await this.surveys.expireDue(new Date(), BATCH);
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
