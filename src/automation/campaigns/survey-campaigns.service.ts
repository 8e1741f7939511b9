import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { CursorCodec } from '../../common/cursor';
import { type Page, toPage } from '../../common/pagination';
import { AppConfig } from '../../config/app-config';
import { DatabaseService } from '../../database/database.service';
import type { SurveyCampaign, SurveyCampaignTarget } from '../../generated/prisma/client';
import {
  CUSTOMER_FEEDBACK_TAG_WINDOW_MS,
  STANDARD_WINDOW_MS,
} from '../../surveys/template/messaging-window';
import { CampaignRunner } from './campaign-runner.service';
import { CampaignRepository, MAX_TARGETS } from './campaign.repository';
import { type CampaignStatus, type TargetState, validateSurveyCampaign } from './survey-campaign';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Campaigns newest first (createdAt, id); a campaign's targets by customer id. */
const CAMPAIGN_CURSOR = new CursorCodec(['instant', 'uuid']);
const TARGET_CURSOR = new CursorCodec(['text']);

export interface SurveyCampaignView {
  id: string;
  pageId: string;
  since: string;
  until: string;
  survey: Record<string, unknown>;
  ratePerSecond: number;
  throttle: { perCustomerDays: number } | null;
  useFeedbackTag: boolean;
  status: string;
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Left to send (or being sent): total - sent - skipped - failed. */
  pending: number;
  /** The rate sends are paced at now (lower than ratePerSecond after Meta's rate limits). */
  currentRate: number;
  rateLimited: number;
  pausedUntil: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface CampaignTargetView {
  userId: string;
  state: string;
  reason: string | null;
  surveyId: string | null;
  attempts: number;
  error: string | null;
  doneAt: string | null;
}

function toView(row: SurveyCampaign, now: Date): SurveyCampaignView {
  return {
    id: row.id,
    pageId: row.pageId,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
    survey: row.survey as Record<string, unknown>,
    ratePerSecond: row.ratePerSecond,
    throttle: row.throttleDays === null ? null : { perCustomerDays: row.throttleDays },
    useFeedbackTag: row.useFeedbackTag,
    status: row.status,
    total: row.total,
    sent: row.sent,
    skipped: row.skipped,
    failed: row.failed,
    pending: row.total - row.sent - row.skipped - row.failed,
    currentRate: row.currentRate,
    rateLimited: row.rateLimited,
    pausedUntil:
      row.pausedUntil !== null && row.pausedUntil > now ? row.pausedUntil.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function toTargetView(row: SurveyCampaignTarget): CampaignTargetView {
  return {
    userId: row.userId,
    state: row.state,
    reason: row.reason,
    surveyId: row.surveyId,
    attempts: row.attempts,
    error: row.error,
    doneAt: row.doneAt?.toISOString() ?? null,
  };
}

/** POST /api/survey-campaigns and the rest: create (snapshot), read, list, cancel. */
@Injectable()
export class SurveyCampaigns {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly repository: CampaignRepository,
    private readonly runner: CampaignRunner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks everything, then snapshots the targets: customers whose last message to the Page falls
   * in [since, until) and who can still be reached now (7 days with the feedback tag, 24 hours
   * without). `until` defaults to now.
   */
  async create(body: Record<string, unknown>): Promise<SurveyCampaignView> {
    const checked = validateSurveyCampaign(body, {
      businessName: this.config.businessName,
      privacyPolicyUrl: this.config.privacyPolicyUrl,
    });
    if (!checked.ok) throw AppError.validation(checked.errors);
    const campaign = checked.campaign;
    const now = this.clock.now();
    if (campaign.until === null && campaign.since >= now) {
      throw AppError.validation(['since must be in the past when until is left out']);
    }
    const token = this.config.pageTokens[campaign.pageId] ?? this.config.defaultPageToken;
    if (token === undefined) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'NO_PAGE_ACCESS_TOKEN',
        `no Page access token for Page ${campaign.pageId}: add it to MESSENGER_PAGE_TOKENS or set MESSENGER_PAGE_ACCESS_TOKEN`,
      );
    }
    const window = campaign.useFeedbackTag ? CUSTOMER_FEEDBACK_TAG_WINDOW_MS : STANDARD_WINDOW_MS;
    const reachableAfter = new Date(now.getTime() - window + 1);
    const id = await this.repository.create(
      { ...campaign, until: campaign.until ?? now },
      reachableAfter,
      now,
    );
    if (id === null) {
      throw new AppError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'CAMPAIGN_TOO_LARGE',
        `more than ${MAX_TARGETS} customers match: split the campaign by since and until`,
      );
    }
    this.runner.wake();
    return this.get(id);
  }

  private async find(id: string): Promise<SurveyCampaign> {
    const row = UUID.test(id)
      ? await this.prisma.surveyCampaign.findUnique({ where: { id } })
      : null;
    if (row === null) throw AppError.notFound(`survey campaign ${id}`);
    return row;
  }

  async get(id: string): Promise<SurveyCampaignView> {
    return toView(await this.find(id), this.clock.now());
  }

  async list(
    status: CampaignStatus | undefined,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<SurveyCampaignView>> {
    const position = CAMPAIGN_CURSOR.decode(cursor);
    const rows = await this.prisma.surveyCampaign.findMany({
      where: {
        ...(status !== undefined && { status }),
        ...(position !== null && {
          OR: [
            { createdAt: { lt: position[0] } },
            { createdAt: position[0], id: { lt: position[1] } },
          ],
        }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    const now = this.clock.now();
    return toPage(
      rows,
      limit,
      (row) => toView(row, now),
      (row) => CAMPAIGN_CURSOR.encode([row.createdAt, row.id]),
    );
  }

  async targets(
    id: string,
    state: TargetState | undefined,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<CampaignTargetView>> {
    // The cursor first: a forged one is a 400 INVALID_CURSOR whatever the id.
    const position = TARGET_CURSOR.decode(cursor);
    await this.find(id);
    const rows = await this.prisma.surveyCampaignTarget.findMany({
      where: {
        campaignId: id,
        ...(state !== undefined && { state }),
        ...(position !== null && { userId: { gt: position[0] } }),
      },
      orderBy: { userId: 'asc' },
      take: limit + 1,
    });
    return toPage(rows, limit, toTargetView, (row) => TARGET_CURSOR.encode([row.userId]));
  }

  async cancel(id: string): Promise<SurveyCampaignView> {
    if (!UUID.test(id) || !(await this.repository.cancel(id, this.clock.now()))) {
      throw AppError.notFound(`survey campaign ${id}`);
    }
    return this.get(id);
  }
}
