import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { SqlClient } from '../database/transaction';
import type { OutboundEvent } from './outbound-event';
import { OutboundRepository } from './outbound.repository';

/**
 * The outbox: what other modules call, on their own transaction, when a change should be heard
 * outside. The deliveries are written with the change or not at all; the delivery worker sends
 * them after the commit. Fan-out happens here, at write time: each matching subscription gets its
 * own delivery row (its id is the webhook-id), so a subscription created later never receives
 * older events, and one subscription's failures never hold up another's.
 */
@Injectable()
export class OutboundEvents {
  constructor(
    private readonly repository: OutboundRepository,
    private readonly clock: Clock,
  ) {}

  async record(tx: SqlClient, events: readonly OutboundEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.now();
    await this.repository.insertOutbox(
      tx,
      events.map((event) => ({
        type: event.type,
        body: JSON.stringify({ type: event.type, timestamp: now.toISOString(), data: event.data }),
        scoreType: event.score?.type ?? null,
        score: event.score?.score ?? null,
        subscriptionId: null,
      })),
      now,
    );
  }
}
