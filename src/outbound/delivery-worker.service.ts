import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DatabaseOutage } from '../database/database-outage.service';
import { Webhook } from 'standardwebhooks';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { IntakeLoad } from '../events/intake-load';
import { Metrics } from '../metrics/metrics';
import { GIVE_UP_AFTER_MS, nextAttemptAt, randomJitter } from './delivery-schedule';
import { AttemptOutcome, ClaimedDelivery, OutboundRepository } from './outbound.repository';
import { postWebhook } from './webhook-poster';

/**
 * Deliveries attempted at once by one process; their successes are recorded in one statement.
 * Each attempt is mostly waiting (connect, the receiver's answer, a commit), so more at once is
 * more throughput (BENCHMARKS.md, "Outbound webhooks").
 */
const BATCH = 64;
/**
 * While this process's webhook intake is pressed (IntakeLoad), a pass makes one batch this small
 * and the next waits for the poll interval: deliveries still move, and give way to the
 * acknowledgements Meta waits for.
 */
const PRESSED_BATCH = 8;
/**
 * Batches per pass at most, so one pass ends even under a backlog; a pass that ends on this bound
 * starts the next one at once instead of waiting for the poll interval.
 */
const MAX_BATCHES = 16;
/** Beyond the attempt's own timeout, how long its claim keeps other replicas off the delivery. */
const LEASE_MARGIN_MS = 60_000;

interface SucceededAttempt {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  at: Date;
}

/** The Standard Webhooks id of a delivery: the same on every attempt. */
export function webhookId(deliveryId: string): string {
  return `msg_${deliveryId}`;
}

/**
 * Sends due outbound deliveries: every OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS, and at once when woken
 * (a test ping, a manual retry). Each attempt is claimed in the database first (SKIP LOCKED and a
 * lease), so replicas never send one attempt twice at the same time, then signed and posted, then
 * its outcome is recorded with the next attempt's time.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private next: Promise<number> | null = null;
  private stopped = false;
  /** Whether the last pass failed: a failure that repeats is logged once, not once a second. */
  private failing = false;

  constructor(
    private readonly repository: OutboundRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly outage: DatabaseOutage,
    private readonly intake: IntakeLoad,
  ) {}

  onApplicationBootstrap(): void {
    // Background jobs run on workers (and `all`), not on an intake.
    if (!this.config.handlesEvents) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.outboundWebhooksPollIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.next;
    await this.running;
  }

  /** Starts a pass now, without waiting for it. */
  wake(): void {
    if (!this.config.handlesEvents) return; // an intake's outbox is the workers' to deliver
    void this.runOnce();
  }

  /**
   * One pass over every delivery due now (by the Clock). Passes never overlap: a call during a pass
   * gets one more pass right after it (shared by every such call), so whatever was due when it was
   * called is attempted. Resolves with the number of attempts that pass made.
   */
  runOnce(): Promise<number> {
    if (this.running !== null) {
      this.next ??= this.running.then(() => {
        this.next = null;
        return this.runOnce();
      });
      return this.next;
    }
    this.running = this.deliverDue().finally(() => (this.running = null));
    return this.running;
  }

  private async deliverDue(): Promise<number> {
    let total = 0;
    let backlog = false;
    try {
      for (let batch = 0; batch < MAX_BATCHES && !this.stopped; batch++) {
        const now = this.clock.now();
        const lease = new Date(
          now.getTime() + this.config.outboundWebhooksTimeoutMs + LEASE_MARGIN_MS,
        );
        const pressed = this.intake.pressed;
        const size = pressed ? PRESSED_BATCH : BATCH;
        const claimed = await this.repository.claimDue(now, lease, size);
        const succeeded = await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
        await this.recordSuccesses(succeeded.filter((a) => a !== null));
        total += claimed.length;
        if (claimed.length < size || pressed) break;
        backlog = batch === MAX_BATCHES - 1;
      }
      this.failing = false;
    } catch (error) {
      // Nothing is lost: claimed deliveries are due again once their lease has passed.
      if (!this.outage.jobFailed(error) && !this.failing) {
        this.logger.warn(`outbound delivery pass failed: ${String(error)}`);
      }
      this.failing = true;
    }
    // More is due: the next pass starts once this one has ended (runOnce never overlaps them),
    // after whatever else is waiting on the event loop.
    if (backlog && !this.stopped) setImmediate(() => this.wake());
    return total;
  }

  /** The batch's successes in one statement; if that fails, they are attempted again later. */
  private async recordSuccesses(attempts: SucceededAttempt[]): Promise<void> {
    try {
      await this.repository.recordSuccesses(attempts);
    } catch (error) {
      // The attempts stay claimed until their lease ends, then they are made again (at least once).
      this.logger.error(`could not record ${attempts.length} delivered attempts: ${String(error)}`);
    }
  }

  /**
   * Signs and posts one claimed delivery. A failure is recorded here, with its next attempt; a
   * success is returned, for the batch to record all its successes at once.
   */
  private async attempt(delivery: ClaimedDelivery): Promise<SucceededAttempt | null> {
    const sentAt = this.clock.now();
    const id = webhookId(delivery.id);
    const signature = new Webhook(delivery.secret).sign(id, sentAt, delivery.body);
    const outcome = await postWebhook(
      delivery.url,
      {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      delivery.body,
      {
        timeoutMs: this.config.outboundWebhooksTimeoutMs,
        publicOnly: this.config.outboundWebhooksGuarded,
        httpsOnly: this.config.outboundWebhooksHttpsOnly,
      },
    );
    this.metrics.outboundDeliveries.inc({
      outcome: outcome.error === null ? 'delivered' : 'failed',
    });
    const now = this.clock.now();
    if (outcome.error === null) return { delivery, outcome, at: now };
    const retryAt = nextAttemptAt(
      delivery.createdAt,
      now,
      delivery.attempts,
      this.config.outboundWebhooksRetryBaseMs,
      randomJitter(),
    );
    try {
      await this.repository.recordAttempt(delivery, outcome, now, retryAt, GIVE_UP_AFTER_MS);
    } catch (error) {
      // The attempt stays claimed until its lease ends, then it is made again (at least once).
      this.logger.error(`could not record attempt of delivery ${delivery.id}: ${String(error)}`);
    }
    // The URL and the error only: never the secret or the signature.
    this.logger.warn(
      `outbound delivery ${delivery.id} attempt ${delivery.attempts} failed: ${outcome.error}`,
    );
    return null;
  }
}
