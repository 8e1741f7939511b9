import { Logger } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { Metrics } from '../../metrics/metrics';
import type { AppConfig } from '../../config/app-config';
import type { AnyMessengerEvent } from '../../events/messenger-events';
import { MAX_ID_BYTES, PermanentEventError } from '../../events/permanent-event.error';
import { parseDelivery } from '../intake/messenger-event.parser';
import { EventProcessor, MAX_QUEUED } from './event-processor.service';
import type { OutboundEvents } from '../../outbound/outbound-events.service';
import type { InboxRepository } from './inbox.repository';
import { IntakeLoad } from '../../events/intake-load';
import type { StoredEvent } from './stored-event';

// The processor's bookkeeping (reservations, queue, trickle, outcome batches, drain) is pure
// logic around its collaborators, so it is pinned here with fakes and fake timers; the e2e specs
// cover it against the real bus and database.

const PAGE = '111111111111111';
const USER = '2222222222222222';

function parsed(messaging: Record<string, unknown>): AnyMessengerEvent {
  const [event] = parseDelivery({
    object: 'page',
    entry: [{ id: PAGE, time: 1_700_000_000_000, messaging: [messaging] }],
  });
  return event;
}

const customer = { sender: { id: USER }, recipient: { id: PAGE }, timestamp: 1_700_000_000_000 };
const MESSAGE = parsed({ ...customer, message: { mid: 'm_1', text: 'hi' } });
const UNKNOWN = parsed({ ...customer, brand_new_thing: {} });

/** `count` stored events with ids from `first` on (the event itself is shared: only ids matter). */
function stored(count: number, first = 1, event = MESSAGE): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: String(first + i), event }));
}

/** A bus whose publications either settle at once or are held until the test settles them. */
class FakeBus {
  readonly published: AnyMessengerEvent[] = [];
  private readonly held: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  hold = false;
  error: Error | null = null;

  publish(event: AnyMessengerEvent): Promise<void> {
    this.published.push(event);
    if (this.hold) return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
    return this.error === null ? Promise.resolve() : Promise.reject(this.error);
  }

  get inFlight(): number {
    return this.held.length;
  }

  /** Settles the `count` oldest held publications. */
  settle(count = this.held.length): void {
    for (const { resolve } of this.held.splice(0, count)) resolve();
  }
}

/** Records every outcome the processor writes. */
class FakeInbox {
  readonly processed: string[][] = [];
  readonly released: string[][] = [];
  readonly failed: {
    id: string;
    error: string;
    maxAttempts: number;
    base: number;
    jitter: number;
  }[] = [];
  readonly dead: { id: string; error: string; reason: string }[] = [];

  markProcessed(ids: string[]): Promise<void> {
    if (ids.length > 0) this.processed.push(ids);
    return Promise.resolve();
  }

  release(ids: string[]): Promise<void> {
    if (ids.length > 0) this.released.push(ids);
    return Promise.resolve();
  }

  markFailed(
    id: string,
    error: string,
    maxAttempts: number,
    base: number,
    jitter: number,
  ): Promise<void> {
    this.failed.push({ id, error, maxAttempts, base, jitter });
    return Promise.resolve();
  }

  markDead(id: string, error: string, reason: string): Promise<void> {
    this.dead.push({ id, error, reason });
    return Promise.resolve();
  }
}

const MAX_ATTEMPTS = 7;
const RETRY_BASE_MS = 1_500;
/** The intake pressure (deliveries waiting for their commit) from which handlers trickle. */
const PRESSED = 16;
const CONCURRENT = 16;
const TRICKLE_MS = 10;
const MARK_WAIT_MS = 20;

let bus: FakeBus;
let inbox: FakeInbox;
/** The intake writer's count of deliveries waiting for their commit, as IntakeLoad reads it. */
let writer: { pending: number };
let processor: EventProcessor;

/** Lets every promise chain run, and `ms` of fake time pass. */
const pass = (ms = 0): Promise<void> => jest.advanceTimersByTimeAsync(ms);

// The processor logs every failure it records; the expectations say what happened.
beforeAll(() => {
  Logger.overrideLogger(false);
});

/** What the processor reads of the configuration; `handlesEvents` false is an intake. */
let config: { webhookMaxAttempts: number; webhookRetryBaseMs: number; handlesEvents: boolean };

beforeEach(() => {
  jest.useFakeTimers();
  config = {
    webhookMaxAttempts: MAX_ATTEMPTS,
    webhookRetryBaseMs: RETRY_BASE_MS,
    handlesEvents: true,
  };
  bus = new FakeBus();
  inbox = new FakeInbox();
  writer = { pending: 0 };
  const load = new IntakeLoad();
  load.measuredBy(() => writer.pending);
  processor = new EventProcessor(
    bus, // structurally an EventBus
    inbox as unknown as InboxRepository,
    load,
    config as unknown as AppConfig,
    // The fake inbox never runs the dead-event callback: the outbox is tested end to end.
    { record: () => Promise.resolve() } as unknown as OutboundEvents,
    new Metrics({ pool: {} } as unknown as DatabaseService),
  );
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('reservations', () => {
  it('does grant room up to the queue limit and no further', () => {
    expect(processor.reserve(MAX_QUEUED - 1)).toBe(true);
    expect(processor.reserve(2)).toBe(false);
    expect(processor.reserve(1)).toBe(true);
    expect(processor.reserve(1)).toBe(false);
  });

  it('does take room back on unreserve, and when the reserved events are enqueued', () => {
    writer.pending = PRESSED; // nothing starts, so the queue keeps what is enqueued
    expect(processor.reserve(MAX_QUEUED)).toBe(true);
    processor.unreserve(10);
    expect(processor.reserve(10)).toBe(true);
    expect(processor.reserve(1)).toBe(false);

    // 5 of the reserved events were stored (the rest were duplicates): the whole reservation
    // is given back and the 5 now take queue room of their own.
    processor.enqueue(stored(5), MAX_QUEUED);
    expect(processor.backlog).toBe(5);
    expect(processor.reserve(MAX_QUEUED - 5)).toBe(true);
    expect(processor.reserve(1)).toBe(false);
  });

  it('does count queued events against the room', () => {
    writer.pending = PRESSED;
    processor.enqueue(stored(MAX_QUEUED - 3));
    expect(processor.reserve(4)).toBe(false);
    expect(processor.reserve(3)).toBe(true);
  });

  it('does refuse every reservation once stopping', async () => {
    await processor.beforeApplicationShutdown();
    expect(processor.reserve(1)).toBe(false);
  });
});

describe('the queue limit', () => {
  it('does release to the sweeper the events beyond MAX_QUEUED rather than queue them', async () => {
    writer.pending = PRESSED;
    bus.hold = true;
    processor.enqueue(stored(MAX_QUEUED + 3));
    expect(processor.backlog).toBe(MAX_QUEUED);
    expect(processor.reserve(1)).toBe(false);

    await pass(MARK_WAIT_MS);
    expect(inbox.released).toEqual([stored(3, MAX_QUEUED + 1).map((s) => s.id)]);
  });
});

describe('on an intake (PROCESS_ROLE=intake)', () => {
  it('does reserve no room and hands every event to the workers, handling none', async () => {
    config.handlesEvents = false;
    expect(processor.reserve(1)).toBe(false);
    processor.enqueue(stored(3));
    expect(processor.backlog).toBe(0);
    await pass(MARK_WAIT_MS);
    expect(bus.published).toEqual([]);
    expect(inbox.released).toEqual([['1', '2', '3']]);
    expect(inbox.processed).toEqual([]);
  });
});

describe('outcomes', () => {
  it('does mark processed events in one batch after a short wait', async () => {
    processor.enqueue(stored(3));
    await pass(MARK_WAIT_MS - 1);
    expect(bus.published).toHaveLength(3);
    expect(inbox.processed).toEqual([]);

    await pass(1);
    expect(inbox.processed).toEqual([['1', '2', '3']]);
  });

  it('does mark a full batch of 500 at once, without the wait', async () => {
    processor.enqueue(stored(500));
    await pass(0);
    expect(inbox.processed).toEqual([stored(500).map((s) => s.id)]);
  });

  it('does record a transient failure with the configured attempts, backoff and a jitter', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.25);
    bus.error = new Error('connection reset');
    processor.enqueue(stored(1, 42));
    await processor.idle();

    expect(inbox.failed).toEqual([
      {
        id: '42',
        error: 'Error: connection reset',
        maxAttempts: MAX_ATTEMPTS,
        base: RETRY_BASE_MS,
        jitter: 0.75,
      },
    ]);
    expect(inbox.dead).toEqual([]);
    expect(inbox.processed).toEqual([]);
  });

  it('does keep the jitter between half and one and a half times the backoff', async () => {
    bus.error = new Error('timeout');
    jest.spyOn(Math, 'random').mockReturnValue(0);
    processor.enqueue(stored(1, 1));
    await processor.idle();
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    processor.enqueue(stored(1, 2));
    await processor.idle();

    expect(inbox.failed.map((f) => f.jitter)).toEqual([0.5, 1.499]);
  });

  it('does set a permanent error aside as dead at once, with its reason', async () => {
    bus.error = new PermanentEventError('no customer to place it with');
    processor.enqueue(stored(1, 9));
    await processor.idle();

    expect(inbox.dead).toEqual([
      {
        id: '9',
        error: 'PermanentEventError: no customer to place it with',
        reason: 'no customer to place it with',
      },
    ]);
    expect(inbox.failed).toEqual([]);
  });

  it('does count a data exception of the database as permanent', async () => {
    bus.error = Object.assign(new Error('value out of range'), { code: '22003' });
    processor.enqueue(stored(1, 9));
    await processor.idle();

    expect(inbox.dead.map((d) => d.id)).toEqual(['9']);
    expect(inbox.dead[0].reason).toMatch(/^the database refused the event's data \(22003\)/);
    expect(inbox.failed).toEqual([]);
  });

  it('does set aside an event no handler could store without publishing it', async () => {
    const longMid = parsed({ ...customer, message: { mid: 'm'.repeat(MAX_ID_BYTES + 1) } });
    processor.enqueue(stored(1, 5, longMid));
    await processor.idle();

    expect(bus.published).toEqual([]);
    expect(inbox.dead.map((d) => d.id)).toEqual(['5']);
  });

  it('does leave unknown events alone: never published, never marked', async () => {
    processor.enqueue(stored(2, 1, UNKNOWN));
    await processor.idle();

    expect(bus.published).toEqual([]);
    expect(inbox.processed).toEqual([]);
    expect(inbox.released).toEqual([]);
    expect(processor.backlog).toBe(0);
  });
});

describe('pacing', () => {
  it('does run up to 16 handlers at once while the intake is not pressed', async () => {
    writer.pending = PRESSED - 1;
    bus.hold = true;
    processor.enqueue(stored(CONCURRENT + 4));
    expect(bus.inFlight).toBe(CONCURRENT);
    expect(processor.handling).toBe(CONCURRENT);
    expect(processor.backlog).toBe(CONCURRENT + 4);

    bus.settle(1);
    await pass(0);
    expect(bus.inFlight).toBe(CONCURRENT);
    expect(bus.published).toHaveLength(CONCURRENT + 1);
  });

  it('does trickle one event at a time, TRICKLE_MS apart, while deliveries wait', async () => {
    writer.pending = PRESSED;
    bus.hold = true;
    processor.enqueue(stored(3));
    expect(bus.published).toHaveLength(0);

    await pass(TRICKLE_MS - 1);
    expect(bus.published).toHaveLength(0);
    await pass(1);
    expect(bus.published).toHaveLength(1);

    // Never a second one while one is running, however long it takes.
    await pass(TRICKLE_MS * 5);
    expect(bus.published).toHaveLength(1);

    bus.settle();
    await pass(TRICKLE_MS - 1);
    expect(bus.published).toHaveLength(1);
    await pass(1);
    expect(bus.published).toHaveLength(2);
  });

  it('does go back to full speed as soon as the pressure falls', async () => {
    writer.pending = PRESSED;
    bus.hold = true;
    processor.enqueue(stored(CONCURRENT + 4));
    await pass(TRICKLE_MS);
    expect(bus.published).toHaveLength(1);

    writer.pending = 0;
    bus.settle();
    await pass(0);
    expect(bus.inFlight).toBe(CONCURRENT);
    expect(bus.published).toHaveLength(1 + CONCURRENT);
  });
});

describe('shutdown', () => {
  it('does release queued events, wait for those in hand and write every outcome', async () => {
    bus.hold = true;
    processor.enqueue(stored(CONCURRENT + 4));
    let drained = false;
    const shutdown = processor.beforeApplicationShutdown().then(() => (drained = true));
    await pass(0);
    expect(drained).toBe(false);
    expect(processor.backlog).toBe(CONCURRENT);

    bus.settle();
    await shutdown;
    await processor.onApplicationShutdown();
    expect(bus.published).toHaveLength(CONCURRENT);
    expect(inbox.processed.flat()).toEqual(stored(CONCURRENT).map((s) => s.id));
    expect(inbox.released.flat()).toEqual(stored(4, CONCURRENT + 1).map((s) => s.id));
  });

  it('does stop trickling, and release what is enqueued after it', async () => {
    writer.pending = PRESSED;
    processor.enqueue(stored(2));
    await processor.beforeApplicationShutdown();
    processor.enqueue(stored(1, 3));
    await pass(TRICKLE_MS * 10);
    await processor.onApplicationShutdown();

    expect(bus.published).toEqual([]);
    expect(inbox.released.flat()).toEqual(['1', '2', '3']);
    expect(processor.backlog).toBe(0);
  });
});

describe('backlogBelow', () => {
  it('does resolve once the backlog falls under the mark', async () => {
    bus.hold = true;
    processor.enqueue(stored(3));
    let below = false;
    void processor.backlogBelow(2).then(() => (below = true));
    bus.settle(1);
    await pass(0);
    expect(below).toBe(false);
    bus.settle(1);
    await pass(0);
    expect(below).toBe(true);
  });
});
