import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config';
import { EventSweeper } from './event-sweeper.service';
import { INBOX_CHANNEL } from './inbox.repository';

const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * Wakes this process's sweeper as soon as an intake stores events (PostgreSQL `LISTEN` on
 * INBOX_CHANNEL), instead of at its next interval. One connection of its own, outside the pool
 * (a pooled connection is handed to other queries between notifications, and a LISTEN does not
 * survive that), reconnected with a doubling delay when it drops; after each (re)connection a sweep
 * takes whatever was stored while nobody listened. The sweep on its interval stays the safety net:
 * a lost notification delays events, it loses none.
 *
 * On the embedded database (no DATABASE_URL) there is one process and one session: nothing to
 * listen to, and the process's own events are handed over in memory.
 */
@Injectable()
export class InboxListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboxListener.name);
  private client: Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private delayMs = RECONNECT_FIRST_MS;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly sweeper: EventSweeper,
  ) {}

  onApplicationBootstrap(): void {
    // Workers only: an `all` process hands its own events over in memory and finds what others
    // release at its sweep, as before the roles existed.
    if (this.config.processRole !== 'worker' || this.config.databaseUrl === undefined) return;
    void this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** Whether the listening connection is up (for the specs). */
  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      // Every wait is bounded: the connection and the LISTEN statement.
      connectionTimeoutMillis: this.config.databaseTimeoutMs,
      query_timeout: this.config.databaseTimeoutMs,
      keepAlive: true,
    });
    // Registered before connecting: an error while connecting must not crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', () => this.sweeper.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${INBOX_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delayMs = RECONNECT_FIRST_MS;
    if (this.failing) this.logger.log('listening for stored events again');
    this.failing = false;
    // Whatever was stored while nobody listened.
    this.sweeper.wake();
  }

  /** The connection failed or ended: once per connection, a new one after a doubling delay. */
  private lost(client: Client, error: unknown): void {
    if (client.listenerCount('notification') === 0) return; // handled already
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    client.on('error', () => {}); // late errors of a dead connection are of no interest
    if (this.client === client) this.client = null;
    void client.end().catch(() => {});
    if (this.stopped) return;
    if (!this.failing) {
      // Once per outage, not at every attempt.
      this.logger.warn(
        `lost the connection listening for stored events (${error instanceof Error ? error.message : 'closed'}); the sweep every ${this.config.webhookSweepIntervalMs} ms carries on meanwhile`,
      );
      this.failing = true;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.delayMs);
    this.retryTimer.unref();
    this.delayMs = Math.min(this.delayMs * 2, RECONNECT_MAX_MS);
  }
}
