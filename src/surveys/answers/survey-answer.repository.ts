import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { inTransaction, type SqlClient } from '../../database/transaction';
import type { SameTransaction } from '../survey.repository';
import type { AnswerToStore } from './feedback-answers';
import { atEveryGrain } from '../rollup-grains';

export interface AnswersToRecord {
  /** The webhook event's dedupe key: the same event recorded twice is one answer. */
  eventKey: string;
  pageId: string;
  userId: string;
  submittedAt: Date;
  answers: AnswerToStore[];
}

/** An answer row this call wrote (none for an event already recorded). */
export interface InsertedAnswer {
  /** The survey it answered, or null. */
  surveyId: string | null;
  questionId: string;
  type: string;
  score: number | null;
  valid: boolean;
  followUpText: string | null;
}

export interface RecordedAnswers {
  /** Rows written now (0 for an event already recorded). */
  inserted: number;
  /** Of those, how many answered a survey. */
  matched: number;
}

/**
 * How far Meta's clock (the answer's timestamp) and ours (a survey's sent_at and expires_at) may
 * disagree when an answer is matched to a survey.
 */
const CLOCK_SKEW = '5 minutes';
const ATTEMPTS = 3;

/**
 * Records the answers of one messaging_feedback event in ONE statement: the answer rows, the daily
 * score counts (overall, and by the answered survey's responder and rule), the survey each one answers and that survey's daily counts. The counts move only
 * for rows this statement inserted, so a redelivered or concurrently handled event counts once.
 *
 * Matching: a valid answer whose question id names a survey (sentQuestionId: sent since exact
 * matching) goes to that survey, if it was sent to that customer from that Page, has no answer
 * yet and could still be answered when the customer submitted. An answer whose question id names
 * none (a survey sent before) goes, as it did then, to the newest such survey of that question id.
 * Rows are kept under the survey's own (the client's) question id.
 * Invalid answers are kept but answer no survey: they count nowhere. The status read under
 * FOR UPDATE is the latest (the expiry job may have just marked the survey), so an expired survey
 * that gets its answer moves from the expired count to the responded one exactly once.
 */
@Injectable()
export class SurveyAnswerRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /** `then` runs on the same transaction with the rows written, so what they cause commits with them. */
  async record(
    input: AnswersToRecord,
    then?: SameTransaction<InsertedAnswer[]>,
  ): Promise<RecordedAnswers> {
    for (let attempt = 1; ; attempt++) {
      try {
        const inserted = await inTransaction(this.prisma.pool, async (tx) => {
          const rows = await this.recordOnce(tx, input);
          if (rows.length > 0) await then?.(tx, rows);
          return rows;
        });
        return {
          inserted: inserted.length,
          matched: inserted.filter((row) => row.surveyId !== null).length,
        };
      } catch (error) {
        // Two answers raced for the same survey: the loser matches again against what is now
        // committed (the next older survey, or none).
        const { code, constraint } = error as { code?: string; constraint?: string };
        const lostRace = code === '23505' && constraint === 'survey_answers_survey_id_key';
        if (!lostRace || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async recordOnce(client: SqlClient, input: AnswersToRecord): Promise<InsertedAnswer[]> {
    const { answers } = input;
    const { rows } = await client.query<InsertedAnswer>(
      `WITH input AS (
         SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::int[], $9::bool[], $10::text[])
           AS t(question_id, type, payload, score, valid, follow_up_text)
       ), matched AS (
         SELECT i.*, CASE WHEN i.valid THEN coalesce(
           -- Exact: the question id names its survey (sent since exact matching).
           (SELECT s.id FROM surveys s
            WHERE s.id = i.named_survey AND s.sent_question_id = i.question_id
              AND s.page_id = $2 AND s.recipient_id = $3
              AND s.status IN ('sent', 'expired')
              AND s.sent_at <= $4::timestamptz + $11::interval
              AND $4::timestamptz < s.expires_at + $11::interval
              AND NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.survey_id = s.id)),
           -- Fallback for a question id that names no survey (one sent before exact matching):
           -- as before, the newest open survey with that question id.
           (SELECT s.id FROM surveys s
            WHERE i.named_survey IS NULL
              AND s.page_id = $2 AND s.recipient_id = $3 AND s.question_id = i.question_id
              AND s.status IN ('sent', 'expired')
              AND s.sent_at <= $4::timestamptz + $11::interval
              AND $4::timestamptz < s.expires_at + $11::interval
              AND NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.survey_id = s.id)
            ORDER BY s.sent_at DESC, s.id DESC
            LIMIT 1)
         ) END AS survey_id
         FROM (SELECT t.*, CASE WHEN t.question_id ~ '__[0-9a-f]{32}$'
                 THEN right(t.question_id, 32)::uuid END AS named_survey
               FROM input t) i
       ), inserted AS (
         -- Kept under the client's question id (the survey's), so scores group as before.
         INSERT INTO survey_answers (event_id, survey_id, page_id, user_id, question_id, type, payload,
                                     score, valid, follow_up_text, submitted_at)
         SELECT $1, m.survey_id, $2, $3,
                coalesce(s.question_id, regexp_replace(m.question_id, '__[0-9a-f]{32}$', '')),
                m.type, m.payload, m.score, m.valid, m.follow_up_text, $4
         FROM matched m LEFT JOIN surveys s ON s.id = m.survey_id
         ON CONFLICT (event_id, question_id) DO NOTHING
         RETURNING survey_id, question_id, type, score, valid, follow_up_text
       ), ${atEveryGrain(
         'scored',
         (g) => `
         INSERT INTO ${g.table('score_daily')} AS d (page_id, question_id, type, ${g.column}, score, count)
         SELECT $2, question_id, type, ${g.bucketOf('$4::timestamptz')}, score, count(*)::int
         FROM inserted WHERE valid
         GROUP BY question_id, type, score
         ON CONFLICT (page_id, question_id, type, ${g.column}, score) DO UPDATE SET count = d.count + EXCLUDED.count`,
       )}, ${atEveryGrain(
         'origin',
         (g) => `
         INSERT INTO ${g.table('score_daily_origin')} AS d (page_id, question_id, type, ${g.column}, responder, rule, score, count)
         SELECT $2, i.question_id, i.type, ${g.bucketOf('$4::timestamptz')},
                coalesce(s.responder_app_id, ''), coalesce(s.rule_id, ''), i.score, count(*)::int
         FROM inserted i LEFT JOIN surveys s ON s.id = i.survey_id
         WHERE i.valid
         GROUP BY 2, 3, 5, 6, 7
         ON CONFLICT (page_id, question_id, type, ${g.column}, responder, rule, score)
         DO UPDATE SET count = d.count + EXCLUDED.count`,
       )}, previous AS (
         SELECT s.id, s.status FROM surveys s JOIN inserted i ON i.survey_id = s.id
         FOR UPDATE OF s
       ), responded AS (
         UPDATE surveys s SET status = 'responded', responded_at = $4
         FROM previous p WHERE s.id = p.id
         RETURNING s.page_id, s.question_id, s.type, s.sent_at, p.status AS previous_status
       ), ${atEveryGrain(
         'counted',
         (g) => `
         INSERT INTO ${g.table('survey_daily')} AS d (page_id, question_id, type, ${g.column}, responded, expired)
         SELECT page_id, question_id, type, ${g.bucketOf('sent_at')}, count(*)::int,
                -(count(*) FILTER (WHERE previous_status = 'expired'))::int
         FROM responded GROUP BY 1, 2, 3, 4
         ON CONFLICT (page_id, question_id, type, ${g.column})
         DO UPDATE SET responded = d.responded + EXCLUDED.responded, expired = d.expired + EXCLUDED.expired`,
       )}
       SELECT survey_id::text AS "surveyId", question_id AS "questionId", type, score, valid,
              follow_up_text AS "followUpText"
       FROM inserted`,
      [
        input.eventKey,
        input.pageId,
        input.userId,
        input.submittedAt,
        answers.map((a) => a.questionId),
        answers.map((a) => a.type),
        answers.map((a) => a.payload),
        answers.map((a) => a.score),
        answers.map((a) => a.valid),
        answers.map((a) => a.followUpText),
        CLOCK_SKEW,
      ],
    );
    return rows;
  }
}
