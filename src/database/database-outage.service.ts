import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DatabaseConnection } from './database-connection';
import { asDatabaseUnavailable } from './database-errors';

/** How often a database that stopped answering is asked again whether it is back. */
export const OUTAGE_PROBE_INTERVAL_MS = 1_000;

/**
 * Keeps an outage of the database to two log lines of its own: a warning when the first request is
 * refused for it, and one line when the database answers again, with how long it lasted and how
 * many requests were refused. (Each refused request still gets its one line from the exception
 * filter, without a stack.) Background jobs that fail for it say nothing of their own (`jobFailed`),
 * so an outage of minutes is still two lines however many jobs poll. While an outage lasts, a probe asks the database once a second, so the
 * end is noticed even when no request comes.
 */
@Injectable()
export class DatabaseOutage implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');
  private since: number | null = null;
  private refusedCount = 0;
  private probe: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(private readonly connection: DatabaseConnection) {}

  /** A request was refused because the database did not answer. */
  refused(reason: string): void {
    this.refusedCount++;
    this.began(reason);
  }

  /**
   * A background job's pass failed. When the database did not answer, the outage is logged here
   * (once, with its end) and this returns true: the job writes no line of its own. Any other failure
   * returns false, for the job to log.
   */
  jobFailed(error: unknown): boolean {
    const unavailable = asDatabaseUnavailable(error);
    if (!unavailable) return false;
    this.began(unavailable.reason);
    return true;
  }

  private began(reason: string): void {
    if (this.since !== null) return;
    this.since = Date.now();
    this.logger.warn(
      `database unavailable (${reason}): refusing requests with 503 DATABASE_UNAVAILABLE`,
    );
    this.probe = setInterval(() => void this.check(), OUTAGE_PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    if (this.probing || this.since === null) return;
    this.probing = true;
    try {
      // Bounded like every query of the pool (DATABASE_TIMEOUT_MS).
      await this.connection.pool.query('SELECT 1');
      this.ended();
    } catch {
      // Still down: the next probe asks again.
    } finally {
      this.probing = false;
    }
  }

  private ended(): void {
    if (this.since === null) return;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    this.logger.log(
      `database answers again after ${seconds} s; ${this.refusedCount} request(s) were refused with 503`,
    );
    this.stop();
  }

  private stop(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    this.since = null;
    this.refusedCount = 0;
  }

  /** The pool closes after this (DatabaseService, on shutdown); no probe may start on it then. */
  beforeApplicationShutdown(): void {
    this.stop();
  }
}
