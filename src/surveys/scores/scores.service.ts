import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { CursorCodec } from '../../common/cursor';
import { roundHalfAwayFromZero } from '../../common/rounding';
import { AppConfig } from '../../config/app-config';
import { Page, toPage } from '../../common/pagination';
import { rate } from '../../common/rate';
import type { ScoreType } from '../template/survey-template';
import { splitRange } from '../../common/day-range';
import { EARLIEST_INSTANT, type InstantRange } from '../../common/instant';
import {
  cesScore,
  csatScore,
  npsScore,
  trendPoint,
  type CesScore,
  type CsatScore,
  type NpsScore,
  type TrendInterval,
  type TrendPoint,
} from './score-calculator';
import { commentSlices, type CommentFilter, type CommentOrder } from './comment-order';
import {
  ScoresRepository,
  type BreakdownBy,
  type CommentPosition,
  type ScoreFilter,
} from './scores.repository';

export interface Scores {
  csat: CsatScore;
  nps: NpsScore;
  ces: CesScore;
  surveys: {
    sent: number;
    responded: number;
    expired: number;
    failed: number;
    responseRate: number | null;
  };
}

/** Current minus previous score; null where either side has none. */
export interface ScoreDelta {
  csat: number | null;
  nps: number | null;
  ces: number | null;
  responseRate: number | null;
}

export interface ComparedScores extends Scores {
  previous: Scores;
  delta: ScoreDelta;
}

export interface BreakdownItem {
  key: string;
  label: string;
  responses: number;
  score: number | null;
  average: number | null;
}

export interface Breakdown {
  by: BreakdownBy;
  type: ScoreType;
  items: BreakdownItem[];
}

/** The range compare=previous reads when `from` / `to` are left out: the last 30 days. */
const DEFAULT_COMPARE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The key and label of "nothing says" in each breakdown (stored as '' in the rollups). */
const NONE: Record<BreakdownBy, { key: string; label: string }> = {
  page: { key: '', label: '' },
  questionId: { key: '', label: '' },
  rule: { key: 'none', label: 'No rule (sent by hand, or no survey answered)' },
  responder: { key: 'unknown', label: 'Unknown' },
};

const difference = (now: number | null, before: number | null, decimals: number) =>
  now === null || before === null ? null : roundHalfAwayFromZero(now - before, decimals);

export interface Trend {
  type: ScoreType;
  interval: TrendInterval;
  points: (TrendPoint & { period: string })[];
}

export interface Comment {
  surveyId: string | null;
  pageId: string;
  userId: string;
  type: string;
  score: number | null;
  text: string;
  submittedAt: string;
}

type Counts = Record<number, number>;

/** Comments, newest first: (submittedAt, answer id). */
const COMMENT_CURSOR = new CursorCodec(['instant', 'id']);
/** Comments, lowest first: (rank, submittedAt, answer id). */
const LOWEST_CURSOR = new CursorCodec(['int', 'instant', 'id']);

/** GET /api/scores and its trend and comments: counts from the repository, arithmetic from score-calculator. */
@Injectable()
export class ScoresService {
  constructor(
    private readonly scores: ScoresRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * The scores of [from, to) and of the period of equal length just before it, and their
   * differences. `to` defaults to now, `from` to 30 days before `to`; the previous period starts no
   * earlier than the earliest instant (0001-01-01).
   */
  async compared(filter: ScoreFilter, range: InstantRange): Promise<ComparedScores> {
    const to = range.to ?? this.clock.now();
    const from = range.from ?? new Date(to.getTime() - DEFAULT_COMPARE_DAYS * DAY_MS);
    if (from.getTime() > to.getTime()) {
      throw AppError.validation([
        `from must not be after to (to defaults to now: ${to.toISOString()})`,
      ]);
    }
    const previousFrom = new Date(
      Math.max(EARLIEST_INSTANT.getTime(), 2 * from.getTime() - to.getTime()),
    );
    const [current, previous] = await Promise.all([
      this.scoresFor(filter, { from, to }),
      this.scoresFor(filter, { from: previousFrom, to: from }),
    ]);
    return {
      ...current,
      previous,
      delta: {
        csat: difference(current.csat.score, previous.csat.score, 2),
        nps: difference(current.nps.score, previous.nps.score, 2),
        ces: difference(current.ces.score, previous.ces.score, 2),
        responseRate: difference(current.surveys.responseRate, previous.surveys.responseRate, 4),
      },
    };
  }

  /**
   * One type's score per Page, question, rule or responder, most responses first (then by key).
   * Responders are labelled through MESSENGER_APP_LABELS, else by their app id.
   */
  async breakdown(
    by: BreakdownBy,
    type: ScoreType,
    filter: ScoreFilter,
    range: InstantRange,
  ): Promise<Breakdown> {
    const rows = await this.scores.keyCounts(by, type, filter, splitRange(range));
    const groups = new Map<string, Counts>();
    for (const { key, score, count } of rows) {
      const counts = groups.get(key) ?? {};
      counts[score] = (counts[score] ?? 0) + count;
      groups.set(key, counts);
    }
    const labels = by === 'responder' ? this.config.appLabels : null;
    const items = [...groups].map(([stored, counts]) => {
      const none = stored === '' ? NONE[by] : null;
      const key = none?.key ?? stored;
      const label = none?.label ?? labels?.[stored] ?? stored;
      return { key, label, ...trendPoint(type, counts) };
    });
    items.sort((a, b) => b.responses - a.responses || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { by, type, items };
  }

  async scoresFor(filter: ScoreFilter, range: InstantRange): Promise<Scores> {
    const split = splitRange(range);
    const [rows, surveys] = await Promise.all([
      this.scores.scoreCounts(filter, split),
      this.scores.surveyCounts(filter, split, new Date()),
    ]);
    const counts: Record<ScoreType, Counts> = { csat: {}, nps: {}, ces: {} };
    for (const { type, score, count } of rows) counts[type][score] = count;
    return {
      csat: csatScore(counts.csat),
      nps: npsScore(counts.nps),
      ces: cesScore(counts.ces),
      surveys: { ...surveys, responseRate: rate(surveys.responded, surveys.sent) },
    };
  }

  async trend(
    type: ScoreType,
    interval: TrendInterval,
    filter: ScoreFilter,
    range: InstantRange,
  ): Promise<Trend> {
    const rows = await this.scores.periodCounts(type, filter, splitRange(range), interval);
    const periods = new Map<string, Counts>();
    for (const { period, score, count } of rows) {
      const counts = periods.get(period) ?? {};
      counts[score] = (counts[score] ?? 0) + count;
      periods.set(period, counts);
    }
    // Rows come ordered by period; a Map keeps that order.
    const points = [...periods].map(([period, counts]) => ({
      period,
      ...trendPoint(type, counts),
    }));
    return { type, interval, points };
  }

  async comments(
    filter: ScoreFilter & CommentFilter,
    order: CommentOrder,
    range: InstantRange,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Comment>> {
    if (
      filter.minScore !== undefined &&
      filter.maxScore !== undefined &&
      filter.minScore > filter.maxScore
    ) {
      throw AppError.validation(['minScore must not be greater than maxScore']);
    }
    let after: CommentPosition | null = null;
    if (order === 'lowest') {
      const position = LOWEST_CURSOR.decode(cursor);
      if (position)
        after = {
          rank: Number(position[0]),
          submittedAt: position[1].toISOString(),
          id: position[2],
        };
    } else {
      const position = COMMENT_CURSOR.decode(cursor);
      if (position) after = { rank: 0, submittedAt: position[0].toISOString(), id: position[1] };
    }
    const slices = commentSlices(filter, order);
    const rows = await this.scores.comments(filter, slices, order, range, limit + 1, after);
    return toPage(
      rows,
      limit,
      ({ surveyId, pageId, userId, type, score, text, submittedAt }) => ({
        surveyId,
        pageId,
        userId,
        type,
        score,
        text,
        submittedAt: submittedAt.toISOString(),
      }),
      (row) =>
        order === 'lowest'
          ? LOWEST_CURSOR.encode([String(row.rank), row.submittedAt, row.id])
          : COMMENT_CURSOR.encode([row.submittedAt, row.id]),
    );
  }
}
