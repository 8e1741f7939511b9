import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import { allOf, SqlParams } from '../../database/sql-params';
import { inTransaction, type SqlClient } from '../../database/transaction';
import type { DeliveryToStore, InboxRow, InboxStatus } from './stored-event';

// Hostile deliveries hold values JSON allows and the columns refuse. Refusing the delivery would
// have Meta send it again forever, so they are stored as near as the columns allow; the raw body
// and payload keep them as received.

/** `text` refuses NUL characters, and the JSON rows are sent in lone surrogates. */
const asText = (value: string | null): string | null =>
  value?.toWellFormed().replace(/\0/g, '\uFFFD') ?? null;

/** `bigint` holds whole numbers only. */
const asBigint = (value: number | null): number | null =>
  Number.isSafeInteger(value) ? value : null;

/**
 * Epoch milliseconds that both a JS Date and `timestamptz` can hold (up to 275759 AD); 0 is the
 * parser's "no plausible time" (event-time.ts), stored as the time received.
 */
const MAX_TIME_MS = 8.64e15;
const asTimeMs = (value: number): number | null =>
  value > 0 && value <= MAX_TIME_MS ? value : null;

const ROW_COLUMNS = `id::text, dedupe_key AS "dedupeKey", kind, object, source, page_id AS "pageId", user_id AS "userId",
  entry_time::text AS "entryTime", payload, status, attempts, last_error AS "lastError", reason,
  received_at AS "receivedAt", trace_context AS "traceContext"`;

/**
 * Extra time the inbox write is given per MiB of delivery bodies, beyond DATABASE_TIMEOUT_MS.
 * The bound is for a database that does not answer, not for one busy storing a large batch (Meta
 * sends deliveries of several MiB; the embedded database takes about half a second per MiB on a
 * loaded machine): refusing those would have Meta send them again, to be refused again.
 */
const WRITE_MS_PER_MIB = 1_000;
/**
 * And per 1,000 events: a MiB of tiny events is tens of thousands of rows (the embedded database
 * took over 6 s for 60,000 on a loaded machine, and was refused).
 */
const WRITE_MS_PER_1000_EVENTS = 200;

/** The NOTIFY channel on which stored work wakes the workers (a payload-less signal). */
export const INBOX_CHANNEL = 'webhook_events';

/** The webhook inbox: deliveries and their events, and each event's processing state. */
@Injectable()
export class InboxRepository {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Writes deliveries and their events in one statement, so all of it commits or none does. An
   * event whose dedupe key is already stored (a redelivery, or a copy in this same batch) is
   * skipped. `leaseMs` keeps the sweeper off the events of leased deliveries, which this process is
   * about to publish itself.
   * Returns the id of every event that was new, by dedupe key.
   */
  async insertDeliveries(
    deliveries: DeliveryToStore[],
    leaseMs: number,
  ): Promise<Map<string, string>> {
    // Rows go as two JSON documents rather than one array parameter per column: the driver
    // escapes array elements one by one in JavaScript, which for 30,000 payloads held the event
    // loop for seconds, while JSON.stringify is native and PostgreSQL parses JSON in C.
    const deliveryRows = deliveries.map((d, index) => ({
      ord: index + 1,
      object: asText(d.object),
      body: d.body,
      event_count: d.events.length,
      leased: d.leased,
      trace_context: d.traceContext,
    }));
    let n = 0;
    const eventRows = deliveries.flatMap((d, index) =>
      d.events.map((e) => ({
        n: ++n,
        ord: index + 1,
        dedupe_key: e.dedupeKey,
        kind: e.event.kind,
        object: asText(e.event.context.object),
        source: e.event.context.source,
        page_id: asText(e.event.context.pageId),
        user_id: asText(e.event.userId),
        entry_time: asBigint(e.event.context.entryTime),
        occurred_ms: asTimeMs(e.event.timestamp),
        payload: e.payload,
        // The parser's reason for an unknown event; the others get theirs when they fail.
        reason: e.event.kind === 'unknown' ? asText(e.event.data.reason) : null,
      })),
    );
    const { rows } = await this.prisma.pool.query<{ id: string; dedupe_key: string }>({
      ...this.writeBound(deliveries),
      // Prepared once per connection: this statement runs hundreds of times a second under load,
      // and parsing and planning it each time cost PostgreSQL a fifth of the write (BENCHMARKS.md).
      name: 'webhook.insert-deliveries',
      text: `WITH input AS (
         SELECT nextval(pg_get_serial_sequence('webhook_deliveries', 'id')) AS id, t.*
         FROM json_to_recordset($1::json) AS t(ord int, object text, body text, event_count int, leased bool,
                                               trace_context text)
       ), deliveries AS (
         INSERT INTO webhook_deliveries (id, object, body, event_count)
         SELECT id, object, body, event_count FROM input
       ), events AS (
         SELECT * FROM json_to_recordset($2::json)
           AS e(n int, ord int, dedupe_key text, kind text, object text, source text, page_id text,
                user_id text, entry_time bigint, occurred_ms float8, payload jsonb, reason text)
       ), stored AS (
         INSERT INTO webhook_events (delivery_id, dedupe_key, kind, object, source, page_id, user_id, entry_time,
                                     occurred_at, payload, status, next_attempt_at, reason, trace_context)
         SELECT input.id, e.dedupe_key, e.kind, e.object, e.source, e.page_id, e.user_id, e.entry_time,
                coalesce(to_timestamp(e.occurred_ms / 1000.0), now()), e.payload,
                CASE WHEN e.kind = 'unknown' THEN 'unknown' ELSE 'pending' END::"WebhookEventStatus",
                now() + make_interval(secs => CASE WHEN input.leased THEN $3::int ELSE 0 END / 1000.0),
                left(e.reason, 500), input.trace_context
         FROM events e JOIN input ON input.ord = e.ord
         -- Ids in the order of the events in their deliveries, whatever join the planner picks.
         ORDER BY e.n
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id, delivery_id, dedupe_key
       ), redelivered AS (
         -- A delivery whose event was already stored (Meta sent it again) gets no event row for
         -- it: who it names is kept beside it, so that an erasure finds its raw body.
         INSERT INTO webhook_redeliveries (delivery_id, page_id, user_id)
         SELECT DISTINCT ON (input.id, e.user_id) input.id, e.page_id, e.user_id
         FROM events e JOIN input ON input.ord = e.ord
         WHERE e.user_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM stored
                           WHERE stored.dedupe_key = e.dedupe_key AND stored.delivery_id = input.id)
       )
       SELECT id::text, dedupe_key FROM stored`,
      values: [JSON.stringify(deliveryRows), JSON.stringify(eventRows), leaseMs],
    });
    return new Map(rows.map((row) => [row.dedupe_key, row.id]));
  }

  /** pg takes a statement's own `query_timeout` from its config (@types/pg does not list it). */
  private writeBound(deliveries: DeliveryToStore[]): { query_timeout: number } {
    const mib = deliveries.reduce((sum, d) => sum + d.body.length, 0) / (1024 * 1024);
    const events = deliveries.reduce((sum, d) => sum + d.events.length, 0);
    const extra = mib * WRITE_MS_PER_MIB + (events / 1000) * WRITE_MS_PER_1000_EVENTS;
    return { query_timeout: this.config.databaseTimeoutMs + Math.ceil(extra) };
  }

  /** Wakes the processes listening on INBOX_CHANNEL: events are stored and due now. */
  async notifyDue(): Promise<void> {
    await this.prisma.pool.query(`SELECT pg_notify('${INBOX_CHANNEL}', '')`);
  }

  async markProcessed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.pool.query(
      `UPDATE webhook_events SET status = 'processed', processed_at = now(), attempts = attempts + 1, last_error = NULL,
         reason = NULL
       WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /**
   * Records a failed attempt: retried after `baseDelayMs` doubled for each earlier attempt (capped
   * at an hour, times `jitter`), or dead once `maxAttempts` is reached. `whenDead` runs on the same
   * transaction when this attempt made the event dead, with the event as it now is.
   */
  async markFailed(
    id: string,
    error: string,
    maxAttempts: number,
    baseDelayMs: number,
    jitter: number,
    whenDead?: (tx: SqlClient, row: InboxRow) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<InboxRow>(
        `UPDATE webhook_events
         SET attempts = attempts + 1,
             status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'failed' END::"WebhookEventStatus",
             last_error = left($2, 4000),
             reason = CASE WHEN attempts + 1 >= $3 THEN 'gave up after ' || (attempts + 1) || ' attempts: ' ELSE '' END
                      || left($2, 500),
             next_attempt_at = now() + make_interval(secs => least(3600000, $4::float8 * power(2, attempts)) * $5::float8 / 1000.0)
         WHERE id = $1::bigint
         RETURNING ${ROW_COLUMNS}`,
        [id, error, maxAttempts, baseDelayMs, jitter],
      );
      if (rows[0]?.status === 'dead') await whenDead?.(tx, rows[0]);
    });
  }

  /** Sets aside an event that can never be processed: dead at this attempt, with why (`whenDead` as above). */
  async markDead(
    id: string,
    error: string,
    reason: string,
    whenDead?: (tx: SqlClient, row: InboxRow) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<InboxRow>(
        `UPDATE webhook_events
         SET attempts = attempts + 1, status = 'dead', last_error = left($2, 4000), reason = left($3, 500)
         WHERE id = $1::bigint
         RETURNING ${ROW_COLUMNS}`,
        [id, error, reason],
      );
      if (rows[0] !== undefined) await whenDead?.(tx, rows[0]);
    });
  }

  /**
   * Claims events that are due (pending, or failed past their backoff) for this process, at most
   * `limit` of each status: the lease moves their next attempt on, and SKIP LOCKED keeps replicas
   * from claiming the same rows. One index scan per status: no sort, however large the backlog.
   */
  async claimDue(limit: number, leaseMs: number): Promise<InboxRow[]> {
    const { rows } = await this.prisma.pool.query<InboxRow>(
      `WITH pending AS (
         SELECT id FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), failed AS (
         SELECT id FROM webhook_events WHERE status = 'failed' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_events SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000.0)
       WHERE id IN (SELECT id FROM pending UNION ALL SELECT id FROM failed)
       RETURNING ${ROW_COLUMNS}`,
      [limit, leaseMs],
    );
    return rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  /** Makes events due now (events this process will not publish itself after all). */
  async release(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    // And the listening workers are woken, on commit, when any event was released.
    await this.prisma.pool.query(
      `WITH released AS (
         UPDATE webhook_events SET next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status = 'pending'
         RETURNING 1
       )
       SELECT pg_notify('${INBOX_CHANNEL}', '') FROM (SELECT 1 FROM released LIMIT 1) AS any_released`,
      [ids],
    );
  }

  /** An operator's retry: a fresh set of attempts (an unknown event stays as it is: no handler takes it). */
  async requeue(id: string, leaseMs: number): Promise<InboxRow | null> {
    const { rows } = await this.prisma.pool.query<InboxRow>(
      `UPDATE webhook_events
       SET status = CASE WHEN kind = 'unknown' THEN status ELSE 'pending' END, attempts = 0,
           reason = CASE WHEN kind = 'unknown' THEN reason END, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000.0)
       WHERE id = $1::bigint RETURNING ${ROW_COLUMNS}`,
      [id, leaseMs],
    );
    return rows[0] ?? null;
  }

  /**
   * For the metrics, at each scrape: events waiting to be processed (pending or failed, counted up
   * to `cap`: a count of a large backlog would read all of it) and the age in seconds of the
   * oldest of them (one index probe per status). Bounded by the statement timeout like any query.
   */
  async backlog(cap: number): Promise<{ waiting: number; oldestAgeSeconds: number }> {
    const { rows } = await this.prisma.pool.query<{ waiting: number; age: number | null }>(
      `SELECT (SELECT count(*)::int FROM (
                 SELECT 1 FROM webhook_events WHERE status IN ('pending', 'failed') LIMIT $1) AS capped) AS waiting,
              extract(epoch FROM now() - least(
                (SELECT received_at FROM webhook_events WHERE status = 'pending' ORDER BY id LIMIT 1),
                (SELECT received_at FROM webhook_events WHERE status = 'failed' ORDER BY id LIMIT 1)))::float8 AS age`,
      [cap],
    );
    return { waiting: rows[0].waiting, oldestAgeSeconds: Math.max(0, rows[0].age ?? 0) };
  }

  /** Events in one status, or every event not processed yet, oldest first. */
  async list(
    status: InboxStatus | undefined,
    limit: number,
    afterId: string | null,
  ): Promise<InboxRow[]> {
    const params = new SqlParams();
    const where = [
      status ? `status = ${params.add(status)}::"WebhookEventStatus"` : `status <> 'processed'`,
    ];
    if (afterId !== null) where.push(`id > ${params.add(afterId)}::bigint`);
    const { rows } = await this.prisma.pool.query<InboxRow>(
      `SELECT ${ROW_COLUMNS} FROM webhook_events
       WHERE ${allOf(where)}
       ORDER BY webhook_events.id LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows;
  }
}
