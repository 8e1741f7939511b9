import { Injectable } from '@nestjs/common';
import type { SplitRange } from '../../common/day-range';
import { DatabaseService } from '../../database/database.service';
import { serialQuery } from '../../database/serial-query';
import { allOf, SqlParams } from '../../database/sql-params';
import { DAILY, HOURLY } from '../rollup-grains';
import { SCORE_TYPES, type ScoreType } from '../template/survey-template';
import type { CommentOrder, CommentSlice } from './comment-order';
import type { TrendInterval } from './score-calculator';

export interface ScoreFilter {
  pageId?: string;
  questionId?: string;
}

export interface ScoreCountRow {
  type: ScoreType;
  score: number;
  count: number;
}

/** What GET /api/scores/breakdown groups by. */
export const BREAKDOWN_BY = ['page', 'questionId', 'rule', 'responder'] as const;
export type BreakdownBy = (typeof BREAKDOWN_BY)[number];

export interface KeyCountRow {
  /** The Page, question, rule or responder app id; '' for "none" (no rule / nobody known). */
  key: string;
  score: number;
  count: number;
}

/**
 * Where each breakdown reads its whole days and hours (a rollup named by its daily table, alias d)
 * and the minutes outside them (the answers, alias a, joined to the survey they answered, alias
 * s), and the key in each.
 */
const BREAKDOWN_SOURCES: Record<BreakdownBy, { rollup: string; dayKey: string; rowKey: string }> = {
  page: { rollup: 'score_daily', dayKey: 'd.page_id', rowKey: 'a.page_id' },
  questionId: { rollup: 'score_daily', dayKey: 'd.question_id', rowKey: 'a.question_id' },
  rule: { rollup: 'score_daily_origin', dayKey: 'd.rule', rowKey: "coalesce(s.rule_id, '')" },
  responder: {
    rollup: 'score_daily_origin',
    dayKey: 'd.responder',
    rowKey: "coalesce(s.responder_app_id, '')",
  },
};

export interface PeriodCountRow {
  period: string;
  score: number;
  count: number;
}

export interface SurveyCounts {
  sent: number;
  responded: number;
  expired: number;
  failed: number;
}

export interface CommentRow {
  id: string;
  surveyId: string | null;
  pageId: string;
  userId: string;
  type: string;
  score: number | null;
  text: string;
  submittedAt: Date;
  /** The score's place on the common scale (rankOf); 0 in slices of a whole type. */
  rank: number;
}

/** Where a page of comments ends: its last row's rank, time and id. */
export interface CommentPosition {
  rank: number;
  submittedAt: string;
  id: string;
}

const dayStart = (day: string): Date => new Date(`${day}T00:00:00Z`);

/** One read of a rollup (alias d): its table, the conditions on its bucket, the time it spans. */
interface RollupRead {
  table: string;
  when: string[];
  /** The bucket's start as a UTC timestamp (for trends). */
  start: string;
  span: { from: Date | null; to: Date | null };
}

/** The rollup reads of a split range: its whole days from the daily table, its whole hours from the hourly one. */
function rollupReads(params: SqlParams, range: SplitRange, daily: string): RollupRead[] {
  const reads: RollupRead[] = [];
  if (range.days !== null) {
    const { from, to } = range.days;
    reads.push({
      table: DAILY.table(daily),
      when: dayConditions(params, range.days, `d.${DAILY.column}`),
      start: `d.${DAILY.column}::timestamp`,
      span: { from: from === null ? null : dayStart(from), to: to === null ? null : dayStart(to) },
    });
  }
  for (const hours of range.hours) {
    reads.push({
      table: HOURLY.table(daily),
      when: timeConditions(params, hours, `d.${HOURLY.column}`),
      start: `(d.${HOURLY.column} AT TIME ZONE 'UTC')`,
      span: hours,
    });
  }
  return reads;
}

/** Filters of survey_answers (alias a) or surveys (alias s) by Page and question. */
function ownerConditions(params: SqlParams, filter: ScoreFilter, alias: string): string[] {
  const where: string[] = [];
  if (filter.pageId !== undefined) where.push(`${alias}.page_id = ${params.add(filter.pageId)}`);
  if (filter.questionId !== undefined)
    where.push(`${alias}.question_id = ${params.add(filter.questionId)}`);
  return where;
}

function dayConditions(
  params: SqlParams,
  days: NonNullable<SplitRange['days']>,
  column: string,
): string[] {
  const where: string[] = [];
  if (days.from !== null) where.push(`${column} >= ${params.add(days.from)}::date`);
  if (days.to !== null) where.push(`${column} < ${params.add(days.to)}::date`);
  return where;
}

function timeConditions(
  params: SqlParams,
  range: { from: Date | null; to: Date | null },
  column: string,
): string[] {
  const where: string[] = [];
  if (range.from !== null) where.push(`${column} >= ${params.add(range.from)}`);
  if (range.to !== null) where.push(`${column} < ${params.add(range.to)}`);
  return where;
}

/**
 * Counts for the scores. Whole UTC days come from the daily rollups (score_daily, survey_daily),
 * the whole hours of the partial days at a range's edges from their hourly twins, whose sizes
 * depend on Pages × questions × days or hours, not on answers; only the partial hours at the edges
 * are counted from the rows, through the (page_id, type, submitted_at) index, one type at a time so
 * that the index is used for the time range even without a Page.
 */
@Injectable()
export class ScoresRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /** Valid answers per type and score. */
  async scoreCounts(filter: ScoreFilter, range: SplitRange): Promise<ScoreCountRow[]> {
    const params = new SqlParams();
    const parts: string[] = [];
    for (const read of rollupReads(params, range, 'score_daily')) {
      const where = [...ownerConditions(params, filter, 'd'), ...read.when];
      parts.push(`SELECT d.type, d.score, sum(d.count)::bigint AS count FROM ${read.table} d
        WHERE ${allOf(where)} GROUP BY d.type, d.score`);
    }
    for (const partial of range.partial) {
      for (const type of SCORE_TYPES) {
        const where = [
          `a.type = ${params.add(type)}`,
          'a.valid',
          ...ownerConditions(params, filter, 'a'),
          ...timeConditions(params, partial, 'a.submitted_at'),
        ];
        parts.push(`SELECT a.type, a.score, count(*)::bigint AS count FROM survey_answers a
          WHERE ${allOf(where)} GROUP BY a.type, a.score`);
      }
    }
    if (parts.length === 0) return [];
    const { rows } = await serialQuery<{
      type: ScoreType;
      score: number;
      count: string;
    }>(
      this.prisma.pool,
      `SELECT type, score, sum(count)::text AS count FROM (${parts.join(' UNION ALL ')}) counts GROUP BY type, score`,
      params.values,
    );
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /**
   * Valid answers of one type per breakdown key and score: whole days from the rollup that holds
   * the key, partial days from the answers (through the (page_id, type, submitted_at) or
   * (type, submitted_at) index) and their surveys (by primary key).
   */
  async keyCounts(
    by: BreakdownBy,
    type: ScoreType,
    filter: ScoreFilter,
    range: SplitRange,
  ): Promise<KeyCountRow[]> {
    const source = BREAKDOWN_SOURCES[by];
    const params = new SqlParams();
    const parts: string[] = [];
    for (const read of rollupReads(params, range, source.rollup)) {
      const where = [
        `d.type = ${params.add(type)}`,
        ...ownerConditions(params, filter, 'd'),
        ...read.when,
      ];
      parts.push(`SELECT ${source.dayKey} AS key, d.score, sum(d.count)::bigint AS count
        FROM ${read.table} d WHERE ${allOf(where)} GROUP BY 1, 2`);
    }
    for (const partial of range.partial) {
      const where = [
        `a.type = ${params.add(type)}`,
        'a.valid',
        ...ownerConditions(params, filter, 'a'),
        ...timeConditions(params, partial, 'a.submitted_at'),
      ];
      parts.push(`SELECT ${source.rowKey} AS key, a.score, count(*)::bigint AS count
        FROM survey_answers a LEFT JOIN surveys s ON s.id = a.survey_id
        WHERE ${allOf(where)} GROUP BY 1, 2`);
    }
    if (parts.length === 0) return [];
    const { rows } = await serialQuery<{ key: string; score: number; count: string }>(
      this.prisma.pool,
      `SELECT key, score, sum(count)::text AS count FROM (${parts.join(' UNION ALL ')}) counts
       GROUP BY key, score`,
      params.values,
    );
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /** Valid answers of one type per period (labelled by its first day) and score. */
  async periodCounts(
    type: ScoreType,
    filter: ScoreFilter,
    range: SplitRange,
    interval: TrendInterval,
  ): Promise<PeriodCountRow[]> {
    const params = new SqlParams();
    const unit = params.add(interval);
    const parts: string[] = [];
    for (const read of rollupReads(params, range, 'score_daily')) {
      const where = [
        `d.type = ${params.add(type)}`,
        ...ownerConditions(params, filter, 'd'),
        ...read.when,
      ];
      parts.push(`SELECT date_trunc(${unit}, ${read.start}) AS period, d.score, sum(d.count)::bigint AS count
        FROM ${read.table} d WHERE ${allOf(where)} GROUP BY 1, 2`);
    }
    for (const partial of range.partial) {
      const where = [
        `a.type = ${params.add(type)}`,
        'a.valid',
        ...ownerConditions(params, filter, 'a'),
        ...timeConditions(params, partial, 'a.submitted_at'),
      ];
      parts.push(`SELECT date_trunc(${unit}, a.submitted_at AT TIME ZONE 'UTC') AS period, a.score, count(*)::bigint AS count
        FROM survey_answers a WHERE ${allOf(where)} GROUP BY 1, 2`);
    }
    if (parts.length === 0) return [];
    const { rows } = await serialQuery<{ period: string; score: number; count: string }>(
      this.prisma.pool,
      `SELECT to_char(period, 'YYYY-MM-DD') AS period, score, sum(count)::text AS count
       FROM (${parts.join(' UNION ALL ')}) counts GROUP BY period, score ORDER BY period, score`,
      params.values,
    );
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /**
   * Surveys sent in the range, by outcome. Surveys past their expiry that the expiry job has not
   * marked yet count as expired: in whole days and hours they are found through the (status, expires_at)
   * index, where they are the only entries between 'sent' and now.
   */
  async surveyCounts(filter: ScoreFilter, range: SplitRange, now: Date): Promise<SurveyCounts> {
    const params = new SqlParams();
    const parts: string[] = [];
    const reads = rollupReads(params, range, 'survey_daily');
    // MATERIALIZED keeps the planner on the (status, expires_at) index alone: it overestimates the
    // overdue surveys and would otherwise AND in the (page_id, sent_at) index, reading every survey
    // of the Page in the range (measured: 15 ms at 10 million surveys instead of 0.1).
    const overdueCte =
      reads.length === 0
        ? ''
        : `WITH overdue AS MATERIALIZED (
          SELECT page_id, question_id, sent_at FROM surveys
          WHERE status = 'sent' AND expires_at <= ${params.add(now)}
        ) `;
    for (const read of reads) {
      const where = [...ownerConditions(params, filter, 'd'), ...read.when];
      parts.push(`SELECT sum(d.sent)::bigint AS sent, sum(d.responded)::bigint AS responded,
          sum(d.expired)::bigint AS expired, sum(d.failed)::bigint AS failed
        FROM ${read.table} d WHERE ${allOf(where)}`);
      const overdue = [
        ...ownerConditions(params, filter, 's'),
        ...timeConditions(params, read.span, 's.sent_at'),
      ];
      parts.push(
        `SELECT 0 AS sent, 0 AS responded, count(*) AS expired, 0 AS failed FROM overdue s WHERE ${allOf(overdue)}`,
      );
    }
    for (const partial of range.partial) {
      const where = [
        ...ownerConditions(params, filter, 's'),
        ...timeConditions(params, partial, 's.sent_at'),
      ];
      const due = params.add(now);
      parts.push(`SELECT count(*) FILTER (WHERE s.status <> 'failed') AS sent,
          count(*) FILTER (WHERE s.status = 'responded') AS responded,
          count(*) FILTER (WHERE s.status = 'expired' OR (s.status = 'sent' AND s.expires_at <= ${due})) AS expired,
          count(*) FILTER (WHERE s.status = 'failed') AS failed
        FROM surveys s WHERE ${allOf(where)}`);
    }
    if (parts.length === 0) return { sent: 0, responded: 0, expired: 0, failed: 0 };
    const { rows } = await serialQuery<Record<keyof SurveyCounts, string | null>>(
      this.prisma.pool,
      `${overdueCte}SELECT coalesce(sum(sent), 0)::text AS sent, coalesce(sum(responded), 0)::text AS responded,
              coalesce(sum(expired), 0)::text AS expired, coalesce(sum(failed), 0)::text AS failed
       FROM (${parts.join(' UNION ALL ')}) counts`,
      params.values,
    );
    const [row] = rows;
    return {
      sent: Number(row.sent),
      responded: Number(row.responded),
      expired: Number(row.expired),
      failed: Number(row.failed),
    };
  }

  /**
   * Valid answers with a follow-up text, after the keyset `after`: newest first, or lowest rank
   * first then newest. One index scan a slice (commentSlices: a type, or a score of a type, through
   * the partial comment indexes survey_answers_comments_page_idx / _comments_idx), each stopped
   * at `limit` rows, merged: a page costs `limit` rows per slice however many answers there are.
   * With lowest first, slices ranked before the cursor's are not read at all.
   */
  async comments(
    filter: ScoreFilter,
    slices: readonly CommentSlice[],
    order: CommentOrder,
    range: { from: Date | null; to: Date | null },
    limit: number,
    after: CommentPosition | null,
  ): Promise<CommentRow[]> {
    const params = new SqlParams();
    const max = params.add(limit);
    const parts: string[] = [];
    for (const slice of slices) {
      if (order === 'lowest' && after !== null && slice.rank < after.rank) continue;
      const where = [
        `a.type = ${params.add(slice.type)}`,
        'a.valid',
        'a.follow_up_text IS NOT NULL',
        ...ownerConditions(params, filter, 'a'),
        ...timeConditions(params, range, 'a.submitted_at'),
      ];
      if (slice.score !== null) where.push(`a.score = ${params.add(slice.score)}`);
      if (after !== null && (order === 'newest' || slice.rank === after.rank)) {
        where.push(
          `(a.submitted_at, a.id) < (${params.add(after.submittedAt)}::timestamptz, ${params.add(after.id)}::bigint)`,
        );
      }
      parts.push(`(SELECT a.id, a.survey_id, a.page_id, a.user_id, a.type, a.score, a.follow_up_text,
          a.submitted_at, ${params.add(slice.rank)}::int AS rank
        FROM survey_answers a WHERE ${allOf(where)} ORDER BY a.submitted_at DESC, a.id DESC LIMIT ${max})`);
    }
    if (parts.length === 0) return [];
    const { rows } = await serialQuery<CommentRow>(
      this.prisma.pool,
      `SELECT id::text, survey_id::text AS "surveyId", page_id AS "pageId", user_id AS "userId",
              type, score, follow_up_text AS text, submitted_at AS "submittedAt", rank
       FROM (${parts.join(' UNION ALL ')}) comments
       ORDER BY ${order === 'lowest' ? 'rank, ' : ''}submitted_at DESC, id DESC LIMIT ${max}`,
      params.values,
    );
    return rows;
  }
}
