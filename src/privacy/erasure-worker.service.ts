import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DatabaseOutage } from '../database/database-outage.service';
import { DatabaseService } from '../database/database.service';
import { CustomerDataRegistry } from './customer-data.registry';
import { ErasureRepository } from './erasure.repository';

/** How often the worker looks for erasures to resume (a new request wakes it at once). */
const POLL_MS = 5_000;
/** A job's lease: renewed after each step; a replica that died hands its job over after it. */
const LEASE_MS = 5 * 60_000;

/**
 * Runs erasure jobs: at start (resuming those a stopped process left running), when one is
 * requested, and on an interval. Each owner's step is idempotent, so a job resumed from the start
 * finishes what was begun and counts only what is removed now.
 */
@Injectable()
export class ErasureWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ErasureWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly erasures: ErasureRepository,
    private readonly registry: CustomerDataRegistry,
    private readonly database: DatabaseService,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs the jobs that are due; a call during a pass makes the pass look again when it ends. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves when no pass is running (for tests: after a request, wake() and then this). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const job = await this.erasures.claim(LEASE_MS);
        if (!job) return;
        if (job.userId === null) {
          await this.erasures.finish(job.id);
          continue;
        }
        const customer = { pageId: job.pageId, userId: job.userId };
        for (const owner of this.registry.owners) {
          if (this.stopped) break;
          const counts = await owner.erase(this.database.pool, customer);
          await this.erasures.record(job.id, counts, LEASE_MS);
        }
        // Stopping mid-job: the next start (of this or another replica) resumes it at once.
        if (this.stopped) return await this.erasures.release(job.id);
        await this.erasures.finish(job.id);
        // The erasure's id only: never whom it concerned.
        this.logger.log(`erasure ${job.id} done`);
      }
    } catch (error) {
      if (!this.outage.jobFailed(error)) this.logger.warn(`erasure pass failed: ${String(error)}`);
    }
  }
}
