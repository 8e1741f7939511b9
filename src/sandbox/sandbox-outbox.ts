import { Injectable } from '@nestjs/common';

/** One message the Page sent a customer through the simulated Send API. */
export interface SentMessage {
  mid: string;
  sentAt: Date;
  messagingType: string | null;
  tag: string | null;
  /** The Send API `message` exactly as received. */
  message: Record<string, unknown>;
}

/** Messages kept per customer (the oldest are dropped first). */
export const OUTBOX_MESSAGES_PER_CUSTOMER = 200;
/** Customers kept (the one written to least recently is dropped first). */
export const OUTBOX_CUSTOMERS = 2_000;

/**
 * What the Page sent each sandbox customer, in memory and bounded: at most
 * OUTBOX_CUSTOMERS customers of OUTBOX_MESSAGES_PER_CUSTOMER messages each. It is a view of the
 * simulated Messenger app, not data of the service: it is gone on restart, like the simulator.
 */
@Injectable()
export class SandboxOutbox {
  /** Map order is recency of writing: the first key is the customer to drop. */
  private readonly customers = new Map<string, SentMessage[]>();

  record(psid: string, sent: SentMessage): void {
    const messages = this.customers.get(psid) ?? [];
    this.customers.delete(psid);
    messages.push(sent);
    if (messages.length > OUTBOX_MESSAGES_PER_CUSTOMER) messages.shift();
    this.customers.set(psid, messages);
    if (this.customers.size > OUTBOX_CUSTOMERS) {
      const oldest = this.customers.keys().next().value as string;
      this.customers.delete(oldest);
    }
  }

  /** Oldest first. */
  messagesTo(psid: string): readonly SentMessage[] {
    return this.customers.get(psid) ?? [];
  }

  find(psid: string, mid: string): SentMessage | null {
    return this.messagesTo(psid).find((sent) => sent.mid === mid) ?? null;
  }
}
