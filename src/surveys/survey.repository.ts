import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { GraphErrorDetail } from './graph/graph-api-error';
import type { SendApiBody } from './template/send-api-body';
import { allOf, SqlParams } from '../database/sql-params';
import { inTransaction, type SqlClient } from '../database/transaction';
import { atEveryGrain } from './rollup-grains';

/**
 * Work that must commit with a change (the outbox rows it causes): run on the change's own
 * transaction, after the change, with what the change returned.
 */
export type SameTransaction<T> = (tx: SqlClient, result: T) => Promise<void>;

export type SurveyStatus = 'sent' | 'failed' | 'responded' | 'expired';

export interface NewSurvey {
  pageId: string;
  recipientId: string;
  type: string;
  questionId: string;
  status: 'sent' | 'failed';
  messageId: string | null;
  messagingType: string;
  tag: string | null;
  /** The Send API body exactly as sent; it holds no token (that travels in a header). */
  request: SendApiBody;
  error: GraphErrorDetail | null;
  sentAt: Date;
  expiresAt: Date;
  /** The automation rule that sends it; none (null) when sent through POST /api/surveys. */
  ruleId?: string | null;
  /** Chosen before the send when the question id names the survey; else the database picks one. */
  id?: string;
  /** The question id sent to Meta (sentQuestionId); null/absent: the client's questionId as is. */
  sentQuestionId?: string | null;
  /**
   * Who handled the conversation, when the writer knows it better than the stored conversation
   * can tell (a history written surveys first, as the demo does); absent: found as responderOf says.
   */
  responderAppId?: string | null;
}

/**
 * Who handled the conversation before the survey (the placeholders of its Page, customer, time and
 * own message id): the app of the later of the Page's last message that names one (an
 * echo's app_id) and the last handover that names a new thread owner (pass_thread_control,
 * take_thread_control; a request_thread_control names none, the owner stays). Each side is one
 * backward scan of the conversation's index that stops at its first hit. NULL when nothing says.
 */
const responderOf = (
  page: string,
  user: string,
  at: string,
  mid: string,
): string => `(SELECT o.app_id FROM (
    (SELECT m.app_id, m.sent_at AS at FROM messages m
     WHERE m.page_id = ${page} AND m.user_id = ${user} AND m.sent_at <= ${at}
       AND m.direction = 'outbound' AND m.app_id IS NOT NULL AND m.mid IS DISTINCT FROM ${mid}
     ORDER BY m.sent_at DESC LIMIT 1)
    UNION ALL
    (SELECT e.data->>'newOwnerAppId', e.occurred_at FROM conversation_events e
     WHERE e.page_id = ${page} AND e.user_id = ${user} AND e.occurred_at <= ${at} AND e.kind = 'handover'
       AND e.data->>'newOwnerAppId' IS NOT NULL
     ORDER BY e.occurred_at DESC LIMIT 1)
  ) o ORDER BY o.at DESC LIMIT 1)`;

/** A survey with its answer, as stored (the status is not yet adjusted for expiry, see the view). */
export interface SurveyRow {
  id: string;
  pageId: string;
  recipientId: string;
  type: string;
  questionId: string;
  status: SurveyStatus;
  messageId: string | null;
  messagingType: string;
  tag: string | null;
  error: GraphErrorDetail | null;
  sentAt: Date;
  expiresAt: Date;
  answer: { score: number | null; followUpText: string | null; submittedAt: Date } | null;
}

export interface SurveyFilter {
  pageId?: string;
  recipientId?: string;
  type?: string;
  status?: SurveyStatus;
}

interface RawRow extends Omit<SurveyRow, 'answer'> {
  answerScore: number | null;
  answerText: string | null;
  answerSubmittedAt: Date | null;
}

const COLUMNS = `s.id::text, s.page_id AS "pageId", s.recipient_id AS "recipientId", s.type,
  s.question_id AS "questionId", s.status::text, s.message_id AS "messageId",
  s.messaging_type AS "messagingType", s.tag, s.error, s.sent_at AS "sentAt", s.expires_at AS "expiresAt"`;
const ANSWER_COLUMNS = `a.score AS "answerScore", a.follow_up_text AS "answerText",
  a.submitted_at AS "answerSubmittedAt"`;

function toRow({ answerScore, answerText, answerSubmittedAt, ...survey }: RawRow): SurveyRow {
  const answer =
    answerSubmittedAt === null
      ? null
      : { score: answerScore, followUpText: answerText, submittedAt: answerSubmittedAt };
  return { ...survey, answer };
}

/**
 * Surveys and their daily and hourly counts (survey_daily, survey_hourly). Every statement that
 * creates a survey or changes its status updates the counts in the same statement, so the two
 * never disagree.
 */
@Injectable()
export class SurveyRepository {
  constructor(private readonly prisma: DatabaseService) {}

  async insert(survey: NewSurvey, then?: SameTransaction<SurveyRow>): Promise<SurveyRow> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const row = await this.insertOn(tx, survey);
      await then?.(tx, row);
      return row;
    });
  }

  private async insertOn(client: SqlClient, survey: NewSurvey): Promise<SurveyRow> {
    const { rows } = await client.query<RawRow>(
      `WITH s AS (
         INSERT INTO surveys (id, page_id, recipient_id, type, question_id, status, message_id,
                              messaging_type, tag, request, error, sent_at, expires_at, rule_id,
                              sent_question_id, responder_app_id)
         VALUES (coalesce($14::uuid, gen_random_uuid()), $1, $2, $3, $4, $5::"SurveyStatus", $6, $7, $8,
                 $9::jsonb, $10::jsonb, $11, $12, $13, $15,
                 coalesce($16, ${responderOf('$1', '$2', '$11', '$6')}))
         RETURNING *
       ), ${atEveryGrain(
         'counted',
         (g) => `
         INSERT INTO ${g.table('survey_daily')} AS d (page_id, question_id, type, ${g.column}, sent, failed)
         SELECT page_id, question_id, type, ${g.bucketOf('sent_at')},
                (status <> 'failed')::int, (status = 'failed')::int
         FROM s
         ON CONFLICT (page_id, question_id, type, ${g.column})
         DO UPDATE SET sent = d.sent + EXCLUDED.sent, failed = d.failed + EXCLUDED.failed`,
       )}
       SELECT ${COLUMNS}, NULL::int AS "answerScore", NULL AS "answerText",
              NULL::timestamptz AS "answerSubmittedAt"
       FROM s`,
      [
        survey.pageId,
        survey.recipientId,
        survey.type,
        survey.questionId,
        survey.status,
        survey.messageId,
        survey.messagingType,
        survey.tag,
        JSON.stringify(survey.request),
        survey.error === null ? null : JSON.stringify(survey.error),
        survey.sentAt,
        survey.expiresAt,
        survey.ruleId ?? null,
        survey.id ?? null,
        survey.sentQuestionId ?? null,
        survey.responderAppId ?? null,
      ],
    );
    return toRow(rows[0]);
  }

  async findById(id: string): Promise<SurveyRow | null> {
    const [row] = await this.findByIds([id]);
    return row ?? null;
  }

  /** Surveys with their answers, in no particular order; on `client` (a transaction) if given. */
  async findByIds(
    ids: readonly string[],
    client: SqlClient = this.prisma.pool,
  ): Promise<SurveyRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await client.query<RawRow>(
      `SELECT ${COLUMNS}, ${ANSWER_COLUMNS}
       FROM surveys s LEFT JOIN survey_answers a ON a.survey_id = s.id
       WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toRow);
  }

  /**
   * Newest first, after the keyset `after`. A survey past its expiry without an answer counts as
   * expired even before the expiry job has marked it.
   */
  async list(
    filter: SurveyFilter,
    now: Date,
    limit: number,
    after: { sentAt: string; id: string } | null,
  ): Promise<SurveyRow[]> {
    const params = new SqlParams();
    const where: string[] = [];
    if (filter.pageId !== undefined) where.push(`s.page_id = ${params.add(filter.pageId)}`);
    if (filter.recipientId !== undefined)
      where.push(`s.recipient_id = ${params.add(filter.recipientId)}`);
    if (filter.type !== undefined) where.push(`s.type = ${params.add(filter.type)}`);
    if (filter.status === 'sent') {
      where.push(`s.status = 'sent' AND s.expires_at > ${params.add(now)}`);
    } else if (filter.status === 'expired') {
      where.push(
        `(s.status = 'expired' OR (s.status = 'sent' AND s.expires_at <= ${params.add(now)}))`,
      );
    } else if (filter.status !== undefined) {
      where.push(`s.status = ${params.add(filter.status)}::"SurveyStatus"`);
    }
    if (after !== null) {
      where.push(
        `(s.sent_at, s.id) < (${params.add(after.sentAt)}::timestamptz, ${params.add(after.id)}::uuid)`,
      );
    }
    const { rows } = await this.prisma.pool.query<RawRow>(
      `SELECT ${COLUMNS}, ${ANSWER_COLUMNS}
       FROM surveys s LEFT JOIN survey_answers a ON a.survey_id = s.id
       WHERE ${allOf(where)}
       ORDER BY s.sent_at DESC, s.id DESC
       LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map(toRow);
  }

  /**
   * Marks up to `batch` surveys past their expiry as expired and counts them. SKIP LOCKED leaves
   * surveys being answered right now (and other replicas' batches) alone; the status is checked
   * again on update, so an answer that won the race keeps its survey responded.
   */
  async expireDue(now: Date, batch: number, then?: SameTransaction<SurveyRow[]>): Promise<number> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const expired = await this.expireDueOn(tx, now, batch);
      if (expired.length > 0) await then?.(tx, expired);
      return expired.length;
    });
  }

  private async expireDueOn(client: SqlClient, now: Date, batch: number): Promise<SurveyRow[]> {
    const { rows } = await client.query<RawRow>(
      `WITH due AS (
         SELECT id FROM surveys
         WHERE status = 'sent' AND expires_at <= $1
         ORDER BY expires_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), expired AS (
         UPDATE surveys s SET status = 'expired'
         FROM due WHERE s.id = due.id AND s.status = 'sent'
         RETURNING s.*
       ), ${atEveryGrain(
         'counted',
         (g) => `
         INSERT INTO ${g.table('survey_daily')} AS d (page_id, question_id, type, ${g.column}, expired)
         SELECT page_id, question_id, type, ${g.bucketOf('sent_at')}, count(*)::int
         FROM expired GROUP BY 1, 2, 3, 4
         ON CONFLICT (page_id, question_id, type, ${g.column}) DO UPDATE SET expired = d.expired + EXCLUDED.expired`,
       )}
       SELECT ${COLUMNS}, NULL::int AS "answerScore", NULL AS "answerText",
              NULL::timestamptz AS "answerSubmittedAt"
       FROM expired s`,
      [now, batch],
    );
    return rows.map(toRow);
  }
}
