import { Injectable } from '@nestjs/common';
import { CursorCodec } from '../../common/cursor';
import { Page, toPage } from '../../common/pagination';
import { rate } from '../../common/rate';
import type { ScoreType } from '../template/survey-template';
import { splitRange } from '../../common/day-range';
import type { InstantRange } from '../../common/instant';
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
import { ScoresRepository, type ScoreFilter } from './scores.repository';

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

export interface Trend {
  type: ScoreType;
  interval: TrendInterval;
  points: (TrendPoint & { period: string })[];
}

export interface Comment {
  surveyId: string | null;
  userId: string;
  type: string;
  score: number | null;
  text: string;
  submittedAt: string;
}

type Counts = Record<number, number>;

/** Comments, newest first: (submittedAt, answer id). */
const COMMENT_CURSOR = new CursorCodec(['instant', 'id']);

/** GET /api/scores and its trend and comments: counts from the repository, arithmetic from score-calculator. */
@Injectable()
export class ScoresService {
  constructor(private readonly scores: ScoresRepository) {}

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
    filter: ScoreFilter & { type?: ScoreType },
    range: InstantRange,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Comment>> {
    const position = COMMENT_CURSOR.decode(cursor);
    const after = position && { submittedAt: position[0].toISOString(), id: position[1] };
    const rows = await this.scores.comments(filter, range, limit + 1, after);
    return toPage(
      rows,
      limit,
      ({ surveyId, userId, type, score, text, submittedAt }) => ({
        surveyId,
        userId,
        type,
        score,
        text,
        submittedAt: submittedAt.toISOString(),
      }),
      (row) => COMMENT_CURSOR.encode([row.submittedAt, row.id]),
    );
  }
}
