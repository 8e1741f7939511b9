import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { inTransaction, type SqlClient } from '../../database/transaction';
import {
  type Pacing,
  refill,
  slowDown,
  type SurveyCampaignFields,
  type TargetReason,
} from './survey-campaign';

/** The most customers one campaign targets (its snapshot is one INSERT ... SELECT of them). */
export const MAX_TARGETS = 100_000;
/** How long a claimed target stays the claimer's: the Send API's timeout and more. */
export const CLAIM_LEASE_MS = 120_000;

class TooManyTargets extends Error {}

/** What a claim hands the runner: the campaign's survey and the customers to send it to now. */
export interface ClaimedBatch {
  campaignId: string;
  pageId: string;
  survey: Record<string, unknown>;
  throttleDays: number | null;
  useFeedbackTag: boolean;
  /** The rate of the claim: the sends' slots are taken at it. */
  rate: number;
  targets: ClaimedTarget[];
}

export interface ClaimedTarget {
  userId: string;
  /** This attempt's number, 1 for the first. */
  attempts: number;
  /** The claim's lease end (its `due_at`), which names the claim: its outcome is only taken for it. */
  leaseEnd: Date;
}

/** One attempt's outcome, at `at`, for the claim `target`. */
export interface RecordedAttempt {
  target: ClaimedTarget;
  outcome: TargetOutcome;
  at: Date;
}

/** How one attempt at one target ended. */
export type TargetOutcome =
  | { state: 'sent'; surveyId: string }
  | {
      state: 'skipped' | 'failed';
      reason: TargetReason;
      surveyId?: string | null;
      error?: string | null;
    }
  /** Tried again at `dueAt`; `rateLimited`: Meta said too many calls, so the campaign slows down. */
  | { state: 'pending'; dueAt: Date; rateLimited: boolean; error: string };

interface CampaignRow {
  id: string;
  page_id: string;
  status: string;
  survey: Record<string, unknown>;
  throttle_days: number | null;
  use_feedback_tag: boolean;
  rate_per_second: number;
  current_rate: number;
  tokens: number;
  tokens_at: Date;
  paused_until: Date | null;
  backoff_ms: number;
  rate_changed_at: Date;
}

const pacingOf = (row: CampaignRow): Pacing => ({
  ratePerSecond: row.rate_per_second,
  currentRate: row.current_rate,
  tokens: row.tokens,
  tokensAt: row.tokens_at,
  pausedUntil: row.paused_until,
  backoffMs: row.backoff_ms,
  rateChangedAt: row.rate_changed_at,
});

const PACING_COLUMNS = `current_rate = $2, tokens = $3, tokens_at = $4, paused_until = $5,
  backoff_ms = $6, rate_changed_at = $7`;
const pacingParams = (p: Pacing) => [
  p.currentRate,
  p.tokens,
  p.tokensAt,
  p.pausedUntil,
  p.backoffMs,
  p.rateChangedAt,
];

/**
 * The campaigns' state, all in rows (a restart resumes from them): the snapshot of targets, the
 * claims (paced per Page, `FOR UPDATE SKIP LOCKED`), each attempt's outcome with the progress
 * counts, and the cancel. Hand SQL: these are the runner's hot path and must be single statements
 * or short transactions (the embedded database has one connection).
 */
@Injectable()
export class CampaignRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * The campaign and its targets in one transaction: every customer whose last message to the
   * Page falls in [since, until) and after `reachableAfter`, in one INSERT ... SELECT (an index
   * range of conversations). Null when more than MAX_TARGETS customers match (nothing is kept).
   */
  async create(
    campaign: SurveyCampaignFields & { until: Date },
    reachableAfter: Date,
    now: Date,
  ): Promise<string | null> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO survey_campaigns (page_id, since, until, survey, rate_per_second, current_rate,
           throttle_days, use_feedback_tag, status, total, tokens, tokens_at, rate_changed_at,
           created_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, 'running', 0, 0, $8, $8, $8)
         RETURNING id`,
        [
          campaign.pageId,
          campaign.since,
          campaign.until,
          JSON.stringify(campaign.survey),
          campaign.ratePerSecond,
          campaign.throttle?.perCustomerDays ?? null,
          campaign.useFeedbackTag,
          now,
        ],
      );
      const id = rows[0].id;
      const from = campaign.since > reachableAfter ? campaign.since : reachableAfter;
      const inserted = await tx.query(
        `INSERT INTO survey_campaign_targets (campaign_id, user_id, page_id, state, due_at)
         SELECT $1, user_id, page_id, 'pending', $5 FROM conversations
         WHERE page_id = $2 AND last_inbound_at >= $3 AND last_inbound_at < $4
         LIMIT $6`,
        [id, campaign.pageId, from, campaign.until, now, MAX_TARGETS + 1],
      );
      const total = inserted.rowCount ?? 0;
      // Thrown to roll the whole campaign back.
      if (total > MAX_TARGETS) throw new TooManyTargets();
      await tx.query('UPDATE survey_campaigns SET total = $2 WHERE id = $1', [id, total]);
      return id;
    }).catch((error: unknown) => {
      if (error instanceof TooManyTargets) return null;
      throw error;
    });
  }

  /** Running campaigns, oldest first (at most `limit`). */
  async running(limit: number): Promise<string[]> {
    const { rows } = await this.prisma.pool.query<{ id: string }>(
      `SELECT id FROM survey_campaigns WHERE status = 'running' ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Claims what the campaign may send at `now`, at most `room`: the token bucket at its current
   * rate (a fifth of a second's burst at most), and no more than the room the Page's calls of the
   * last second leave. Claimed targets are `sending` under a lease (their `due_at`, which also
   * names the claim); targets a dead process held come back once their lease has passed. The hard
   * limit is taken per call (takeSlot). A campaign with nothing left is done.
   */
  async claim(campaignId: string, now: Date, room: number): Promise<ClaimedBatch | null> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const campaign = await this.lockRunning(tx, campaignId);
      if (campaign === null) return null;
      const batch: ClaimedBatch = {
        campaignId,
        pageId: campaign.page_id,
        survey: campaign.survey,
        throttleDays: campaign.throttle_days,
        useFeedbackTag: campaign.use_feedback_tag,
        rate: campaign.current_rate,
        targets: [],
      };
      if (campaign.paused_until !== null && campaign.paused_until > now) return batch;
      const pacing = refill(pacingOf(campaign), now);
      batch.rate = pacing.currentRate;
      await tx.query(
        `UPDATE survey_campaign_targets SET state = 'pending'
         WHERE campaign_id = $1 AND state = 'sending' AND due_at <= $2`,
        [campaignId, now],
      );
      const { rows: used } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM survey_campaign_targets
         WHERE page_id = $1 AND claimed_at > $2`,
        [campaign.page_id, new Date(now.getTime() - 1000)],
      );
      const lease = new Date(now.getTime() + CLAIM_LEASE_MS);
      const take = Math.max(
        0,
        Math.min(Math.floor(pacing.tokens), pacing.currentRate - used[0].n, room),
      );
      if (take > 0) {
        const { rows } = await tx.query<{ user_id: string; attempts: number }>(
          `UPDATE survey_campaign_targets t
           SET state = 'sending', due_at = $3, attempts = t.attempts + 1
           FROM (SELECT user_id FROM survey_campaign_targets
                 WHERE campaign_id = $1 AND state = 'pending' AND due_at <= $2
                 ORDER BY due_at, user_id LIMIT $4
                 FOR UPDATE SKIP LOCKED) c
           WHERE t.campaign_id = $1 AND t.user_id = c.user_id
           RETURNING t.user_id, t.attempts`,
          [campaignId, now, lease, take],
        );
        batch.targets = rows
          .map((r) => ({ userId: r.user_id, attempts: r.attempts, leaseEnd: lease }))
          .sort((a, b) => (a.userId < b.userId ? -1 : 1));
        pacing.tokens -= rows.length;
      }
      await tx.query(`UPDATE survey_campaigns SET ${PACING_COLUMNS} WHERE id = $1`, [
        campaignId,
        ...pacingParams(pacing),
      ]);
      if (batch.targets.length === 0) {
        await tx.query(
          `UPDATE survey_campaigns SET status = 'done', finished_at = $2
           WHERE id = $1 AND NOT EXISTS (
             SELECT 1 FROM survey_campaign_targets
             WHERE campaign_id = $1 AND state IN ('pending', 'sending'))`,
          [campaignId, now],
        );
      }
      return batch;
    });
  }

  /**
   * The rate slot of one send, taken just before its Send API call: under the Page's lock (which
   * serialises every process's slots of the Page), `claimed_at = now` if the Page's calls in
   * (now - 1 s, now], this one included, stay within `rate`. So no one-second window ever holds
   * more calls than the rate, whatever the delay between a claim and its call. (A target's
   * `claimed_at`, its last call, only moves on at its next call, at least a second later: retries
   * wait that long.) `full`: no room yet, nothing changed, the caller waits and asks again;
   * `gone`: the campaign was cancelled or the claim is no longer this caller's, do not send.
   */
  async takeSlot(
    campaignId: string,
    target: ClaimedTarget,
    pageId: string,
    rate: number,
    now: Date,
  ): Promise<'taken' | 'full' | 'gone'> {
    return inTransaction(this.prisma.pool, async (tx) => {
      // Not waiting for the disk while holding the Page's lock: the calls' rate would be capped
      // at fsyncs/s. A crash of the database could lose the time of a call, nothing else (the
      // outcome is written later, synchronously).
      await tx.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('survey_campaign_page:' || $1, 0)),
                set_config('synchronous_commit', 'off', true)`,
        [pageId],
      );
      const { rowCount } = await tx.query(
        `WITH used AS (
           SELECT count(*) AS n FROM survey_campaign_targets
           WHERE page_id = $1 AND claimed_at > $2)
         UPDATE survey_campaign_targets SET claimed_at = $6
         WHERE campaign_id = $3 AND user_id = $4 AND state = 'sending' AND due_at = $5
           AND (SELECT n FROM used) < $7
           AND EXISTS (SELECT 1 FROM survey_campaigns WHERE id = $3 AND status = 'running')`,
        [
          pageId,
          new Date(now.getTime() - 1000),
          campaignId,
          target.userId,
          target.leaseEnd,
          now,
          rate,
        ],
      );
      if (rowCount === 1) return 'taken';
      const { rows } = await tx.query(
        `SELECT 1 FROM survey_campaign_targets t JOIN survey_campaigns c ON c.id = t.campaign_id
         WHERE t.campaign_id = $1 AND t.user_id = $2 AND t.state = 'sending' AND t.due_at = $3
           AND c.status = 'running'`,
        [campaignId, target.userId, target.leaseEnd],
      );
      return rows.length === 0 ? 'gone' : 'full';
    });
  }

  /** The Page's lock (every claimer of the Page waits its turn), then the campaign's row. */
  private async lockRunning(tx: SqlClient, campaignId: string): Promise<CampaignRow | null> {
    const { rows: pages } = await tx.query<{ page_id: string }>(
      `SELECT page_id FROM survey_campaigns WHERE id = $1 AND status = 'running'`,
      [campaignId],
    );
    if (pages.length === 0) return null;
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('survey_campaign_page:' || $1, 0))`,
      [pages[0].page_id],
    );
    const { rows } = await tx.query<CampaignRow>(
      `SELECT * FROM survey_campaigns WHERE id = $1 AND status = 'running' FOR UPDATE`,
      [campaignId],
    );
    return rows[0] ?? null;
  }

  /**
   * Keeps how attempts of one campaign ended, with the campaign's counts, in one transaction (one
   * commit for many sends: the campaign row is locked once, not once per send); each only for the
   * claim it answers (a target claimed again since is someone else's). A rate-limited attempt
   * slows the campaign; one to retry in a cancelled campaign is skipped as cancelled instead.
   */
  async record(campaignId: string, attempts: RecordedAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<CampaignRow>(
        'SELECT * FROM survey_campaigns WHERE id = $1 FOR UPDATE',
        [campaignId],
      );
      const campaign = rows[0];
      if (campaign === undefined) return;
      const finals = attempts.map(({ target, outcome, at }) => {
        const final: TargetOutcome =
          outcome.state === 'pending' && campaign.status !== 'running'
            ? { state: 'skipped', reason: 'cancelled', error: outcome.error }
            : outcome;
        return {
          target,
          at,
          rateLimited: outcome.state === 'pending' && outcome.rateLimited,
          outcome: final,
        };
      });
      const column = <T>(f: (a: (typeof finals)[number]) => T): T[] => finals.map(f);
      const { rows: updated } = await tx.query<{ user_id: string; state: string }>(
        `UPDATE survey_campaign_targets t
         SET state = v.state, reason = v.reason, survey_id = v.survey_id, error = v.error,
             due_at = v.due_at, done_at = v.done_at
         FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::uuid[], $7::text[],
                     $8::timestamptz[], $9::timestamptz[])
              AS v(user_id, lease_end, state, reason, survey_id, error, due_at, done_at)
         WHERE t.campaign_id = $1 AND t.user_id = v.user_id AND t.state = 'sending'
           AND t.due_at = v.lease_end
         RETURNING t.user_id, t.state`,
        [
          campaignId,
          column((a) => a.target.userId),
          column((a) => a.target.leaseEnd),
          column((a) => a.outcome.state),
          column((a) =>
            a.outcome.state === 'sent' || a.outcome.state === 'pending' ? null : a.outcome.reason,
          ),
          column((a) => (a.outcome.state === 'pending' ? null : (a.outcome.surveyId ?? null))),
          column((a) => (a.outcome.state === 'sent' ? null : (a.outcome.error ?? null))),
          column((a) => (a.outcome.state === 'pending' ? a.outcome.dueAt : a.at)),
          column((a) => (a.outcome.state === 'pending' ? null : a.at)),
        ],
      );
      if (updated.length === 0) return;
      const kept = new Set(updated.map((r) => r.user_id));
      const count = (state: string) => updated.filter((r) => r.state === state).length;
      let pacing = pacingOf(campaign);
      let rateLimited = 0;
      for (const a of finals.sort((x, y) => x.at.getTime() - y.at.getTime())) {
        if (!a.rateLimited || !kept.has(a.target.userId)) continue;
        pacing = slowDown(pacing, a.at);
        rateLimited++;
      }
      await tx.query(
        `UPDATE survey_campaigns SET ${PACING_COLUMNS},
           sent = sent + $8, skipped = skipped + $9, failed = failed + $10,
           rate_limited = rate_limited + $11
         WHERE id = $1`,
        [
          campaignId,
          ...pacingParams(pacing),
          count('sent'),
          count('skipped'),
          count('failed'),
          rateLimited,
        ],
      );
    });
  }

  /**
   * Stops a running campaign: what is left to send is skipped as `cancelled` (sends already under
   * way end and are counted). False when there is no such campaign; a finished one stays as it is.
   */
  async cancel(campaignId: string, now: Date): Promise<boolean> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<{ status: string }>(
        'SELECT status FROM survey_campaigns WHERE id = $1 FOR UPDATE',
        [campaignId],
      );
      if (rows.length === 0) return false;
      if (rows[0].status !== 'running') return true;
      const left = await tx.query(
        `UPDATE survey_campaign_targets
         SET state = 'skipped', reason = 'cancelled', done_at = $2
         WHERE campaign_id = $1
           AND (state = 'pending' OR (state = 'sending' AND due_at <= $2))`,
        [campaignId, now],
      );
      await tx.query(
        `UPDATE survey_campaigns
         SET status = 'cancelled', finished_at = $2, skipped = skipped + $3
         WHERE id = $1`,
        [campaignId, now, left.rowCount ?? 0],
      );
      return true;
    });
  }
}
