import { Injectable } from '@nestjs/common';
import { Client, Query } from 'pg';
import type { InstantRange } from '../../common/instant';
import { AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import { allOf, SqlParams } from '../../database/sql-params';
import type { ScoreType } from '../template/survey-template';
import type { ExportFormat } from './dto/export.dto';
import { exportLineSql } from './export-lines.sql';

export interface ExportFilter {
  type?: ScoreType;
  pageId?: string;
}

/** What to write: the format, and the service's public base for the conversation links. */
export interface ExportLayout {
  format: ExportFormat;
  publicUrl: string;
}

/**
 * Answers per round trip: each fetch brings this many formatted lines (about 150 bytes each in
 * CSV, 330 in NDJSON), written to the reply as one chunk.
 */
const BATCH = 1000;

/**
 * Exports reading through a server-side cursor at the same time, at most. Each holds a connection
 * of its own (beside the pool's 20) for as long as its client takes to download. Exports beyond
 * these read in batches instead (below).
 */
export const MAX_CURSOR_EXPORTS = 4;

/** The cursor's name; it shows in pg_stat_activity as `FETCH ... FROM answer_export`. */
const CURSOR = 'answer_export';

function conditions(params: SqlParams, filter: ExportFilter, range: InstantRange): string[] {
  const where: string[] = [];
  if (filter.type !== undefined) where.push(`a.type = ${params.add(filter.type)}`);
  if (filter.pageId !== undefined) where.push(`a.page_id = ${params.add(filter.pageId)}`);
  if (range.from !== null) where.push(`a.submitted_at >= ${params.add(range.from)}`);
  if (range.to !== null) where.push(`a.submitted_at < ${params.add(range.to)}`);
  return where;
}

const ignore = (): void => {};

/** Rejects with `message` when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every answer (valid or not) matching a filter, in the order they were recorded (answer id), as
 * an async sequence of UTF-8 chunks, each a whole number of CSV records or NDJSON lines written by
 * PostgreSQL (export-lines.sql.ts), BATCH answers a chunk, whatever the count. Two ways to read:
 *
 * - a server-side cursor (`DECLARE ... CURSOR`, then `FETCH BATCH` until empty) in one READ ONLY
 *   REPEATABLE READ transaction: one consistent snapshot, on a connection of its own that is closed
 *   when the sequence ends (early or not). A declared cursor is planned for its first rows
 *   (`cursor_tuple_fraction`): the answers' primary key in order, each answer's survey by its key
 *   (a nested loop), so the first fetch returns at once instead of after a join and sort of every
 *   row. JIT is off in it: compiling the line's expression costs more than it saves.
 * - keyset batches of BATCH rows (`id > last`, the primary key), each one ordinary query that
 *   takes a pool connection and gives it back: nothing is held while the consumer waits. The
 *   embedded database (one session for the whole service) always reads this way, and so do the
 *   exports beyond MAX_CURSOR_EXPORTS.
 *
 * Each statement (every FETCH, every batch) is bounded by DATABASE_TIMEOUT_MS (the pool's
 * `query_timeout`): an export of any size takes as long as it needs, a silent database still fails
 * it within the bound.
 */
@Injectable()
export class AnswerExportRepository {
  private cursors = 0;

  constructor(
    private readonly prisma: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  answers(layout: ExportLayout, filter: ExportFilter, range: InstantRange): AsyncGenerator<Buffer> {
    if (this.prisma.embedded || this.cursors >= MAX_CURSOR_EXPORTS) {
      return this.keysetBatches(layout, filter, range);
    }
    return this.cursor(layout, filter, range);
  }

  private async *cursor(
    layout: ExportLayout,
    filter: ExportFilter,
    range: InstantRange,
  ): AsyncGenerator<Buffer> {
    this.cursors++;
    // A connection of its own, beside the pool, with the pool's settings but `query_timeout`:
    // readLines bounds each FETCH itself (so each FETCH, not the whole download).
    const { Client: ClientClass = Client, query_timeout: _, ...options } = this.prisma.pool.options;
    const client = new (ClientClass as typeof Client)(options);
    // A connection that dies mid-export also emits 'error' on the client: the failed statement
    // reports it to the reader, and this must not go unhandled (it would crash the process).
    client.on('error', ignore);
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('SET LOCAL jit = off');
      const params = new SqlParams();
      const line = exportLineSql(layout.format, params, layout.publicUrl);
      const where = conditions(params, filter, range);
      await client.query(
        `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
         SELECT ${line} FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
         WHERE ${allOf(where)} ORDER BY a.id`,
        params.values,
      );
      // The next fetch is sent before this one's lines are handed on, so that PostgreSQL
      // writes the next batch while the reply sends this one (two batches in memory at most).
      const fetch = (): Promise<Lines> =>
        handled(readLines(client, `FETCH ${BATCH} FROM ${CURSOR}`, this.config.databaseTimeoutMs));
      let next: Promise<Lines> | null = fetch();
      // Left early (the client went away), a fetch in flight ends with the connection, below.
      while (next !== null) {
        const lines: Lines = await next;
        next = lines.count < BATCH ? null : fetch();
        if (lines.count > 0) yield lines.bytes;
      }
    } finally {
      this.cursors--;
      // The transaction ends with its connection, read to the end or not.
      await within(client.end(), this.config.databaseTimeoutMs, 'Query read timeout').catch(ignore);
    }
  }

  private async *keysetBatches(
    layout: ExportLayout,
    filter: ExportFilter,
    range: InstantRange,
  ): AsyncGenerator<Buffer> {
    // As the cursor does, the next batch is asked for before this one is handed on.
    const batch = async (after: string): Promise<string[][]> => {
      const params = new SqlParams();
      const line = exportLineSql(layout.format, params, layout.publicUrl);
      const where = [...conditions(params, filter, range), `a.id > ${params.add(after)}::bigint`];
      const { rows } = await this.prisma.pool.query<string[]>({
        text: `SELECT ${line}, a.id::text FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
               WHERE ${allOf(where)} ORDER BY a.id LIMIT ${BATCH}`,
        values: params.values,
        rowMode: 'array',
      });
      return rows;
    };
    let next: Promise<string[][]> | null = handled(batch('0'));
    while (next !== null) {
      const rows: string[][] = await next;
      next = rows.length < BATCH ? null : handled(batch(rows[rows.length - 1][1]));
      if (rows.length > 0) yield Buffer.from(join(rows));
    }
  }
}

/** A batch of export lines: their UTF-8 bytes, and how many. */
interface Lines {
  bytes: Buffer;
  count: number;
}

/** The first size of a batch's buffer: about 1,000 NDJSON lines; it doubles when they need more. */
const BATCH_BYTES = 256 * 1024;

/** pg's Query, handing each row's columns (text, as PostgreSQL sent them) to `onRow`. */
class LinesQuery extends Query {
  constructor(
    text: string,
    private readonly onRow: (columns: string[]) => void,
    callback: (error: Error | undefined) => void,
  ) {
    super(text, callback);
  }

  /** Called by the connection for each DataRow message, instead of keeping a parsed row. */
  handleDataRow(message: { fields: string[] }): void {
    this.onRow(message.fields);
  }
}

/**
 * The first column of every row of `text` (a statement without parameters), written one after
 * the other into one buffer as the rows arrive; the connection is cut, which fails the statement,
 * when it has not completed within `timeoutMs`. Nothing of a batch is kept on pg's query objects or reachable from a timer: read
 * through `client.query(config)` (rows kept on the query's result, handed on through its
 * promise) and bounded by pg's `query_timeout` (a timer per query, referring to it), every row
 * of a 1,000,000-answer export was promoted to V8's old generation, where it waited for a full
 * collection: about 190 MB, and a peak RSS 115 – 150 MiB higher during the export (BENCHMARKS.md).
 */
function readLines(client: Client, text: string, timeoutMs: number): Promise<Lines> {
  return new Promise((resolve, reject) => {
    let bytes = Buffer.allocUnsafe(BATCH_BYTES);
    let length = 0;
    let count = 0;
    const timer = cutAfter(client, timeoutMs);
    const query = new LinesQuery(
      text,
      (columns) => {
        const line = columns[0];
        const needed = length + Buffer.byteLength(line);
        if (needed > bytes.length) {
          const larger = Buffer.allocUnsafe(Math.max(needed, 2 * bytes.length));
          bytes.copy(larger, 0, 0, length);
          bytes = larger;
        }
        length += bytes.write(line, length);
        count++;
      },
      (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve({ bytes: bytes.subarray(0, length), count });
      },
    );
    void client.query(query);
  });
}

/**
 * Cuts the client's connection after `ms`: its statement fails with 'Query read timeout'. A
 * function of its own, so that the timer's closure holds the client only, not the batch.
 */
function cutAfter(client: Client, ms: number): NodeJS.Timeout {
  return setTimeout(() => client.connection.stream.destroy(new Error('Query read timeout')), ms);
}

/**
 * `promise`, marked as handled: a fetch sent ahead may fail while its reader is elsewhere (that
 * reader still sees the failure when it awaits it), which must not count as an unhandled rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

/** The lines of a batch (the first column of each row) as one string. */
function join(rows: readonly (readonly string[])[]): string {
  let text = '';
  for (const row of rows) text += row[0];
  return text;
}
