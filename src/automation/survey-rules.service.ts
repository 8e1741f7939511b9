import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { CursorCodec } from '../common/cursor';
import { Page, toPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { Prisma, type SurveyDecision, type SurveyRule } from '../generated/prisma/client';
import {
  type Outcome,
  type QuietHours,
  type RuleTrigger,
  type SurveyRuleFields,
  validateSurveyRule,
} from './survey-rule';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rules by creation (createdAt, id); decisions newest first (decidedAt, id). */
const RULE_CURSOR = new CursorCodec(['instant', 'uuid']);
const DECISION_CURSOR = new CursorCodec(['instant', 'uuid']);

export interface SurveyRuleView extends SurveyRuleFields {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface DecisionView {
  id: string;
  ruleId: string;
  pageId: string;
  userId: string;
  trigger: string;
  outcome: string;
  reason: string | null;
  surveyId: string | null;
  dueAt: string;
  decidedAt: string;
}

export function toRuleFields(row: SurveyRule): SurveyRuleFields {
  return {
    name: row.name,
    enabled: row.enabled,
    pageIds: (row.pageIds as string[] | null) ?? null,
    trigger: row.trigger as unknown as RuleTrigger,
    survey: row.survey as Record<string, unknown>,
    throttle: row.throttleDays === null ? null : { perCustomerDays: row.throttleDays },
    sampleRate: row.sampleRate,
    quietHours: (row.quietHours as QuietHours | null) ?? null,
    useFeedbackTag: row.useFeedbackTag,
  };
}

function toView(row: SurveyRule): SurveyRuleView {
  return {
    id: row.id,
    ...toRuleFields(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDecisionView(row: SurveyDecision): DecisionView {
  return {
    id: row.id,
    ruleId: row.ruleId,
    pageId: row.pageId,
    userId: row.userId,
    trigger: row.trigger,
    outcome: row.outcome,
    reason: row.reason,
    surveyId: row.surveyId,
    dueAt: row.dueAt.toISOString(),
    decidedAt: row.decidedAt.toISOString(),
  };
}

function columns(rule: SurveyRuleFields) {
  return {
    name: rule.name,
    enabled: rule.enabled,
    pageIds: rule.pageIds ?? Prisma.DbNull,
    triggerType: rule.trigger.type,
    trigger: rule.trigger as unknown as Prisma.InputJsonObject,
    survey: rule.survey as Prisma.InputJsonObject,
    throttleDays: rule.throttle?.perCustomerDays ?? null,
    sampleRate: rule.sampleRate,
    quietHours: rule.quietHours === null ? Prisma.DbNull : { ...rule.quietHours },
    useFeedbackTag: rule.useFeedbackTag,
  };
}

/** The rules' CRUD and their decisions (GET /api/survey-rules/{id}/decisions). */
@Injectable()
export class SurveyRules {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  private validate(body: Record<string, unknown>): SurveyRuleFields {
    const checked = validateSurveyRule(body, {
      businessName: this.config.businessName,
      privacyPolicyUrl: this.config.privacyPolicyUrl,
    });
    if (!checked.ok) throw AppError.validation(checked.errors);
    return checked.rule;
  }

  async create(body: Record<string, unknown>): Promise<SurveyRuleView> {
    const rule = this.validate(body);
    return toView(await this.prisma.surveyRule.create({ data: columns(rule) }));
  }

  private async find(id: string): Promise<SurveyRule> {
    const row = UUID.test(id) ? await this.prisma.surveyRule.findUnique({ where: { id } }) : null;
    if (row === null) throw AppError.notFound(`survey rule ${id}`);
    return row;
  }

  async get(id: string): Promise<SurveyRuleView> {
    return toView(await this.find(id));
  }

  async list(limit: number, cursor: string | undefined): Promise<Page<SurveyRuleView>> {
    const position = RULE_CURSOR.decode(cursor);
    const rows = await this.prisma.surveyRule.findMany({
      where:
        position === null
          ? {}
          : {
              OR: [
                { createdAt: { gt: position[0] } },
                { createdAt: position[0], id: { gt: position[1] } },
              ],
            },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    return toPage(rows, limit, toView, (row) => RULE_CURSOR.encode([row.createdAt, row.id]));
  }

  /** A PATCH is merged into the stored rule, and the whole is checked again. */
  async update(id: string, patch: Record<string, unknown>): Promise<SurveyRuleView> {
    const current = toRuleFields(await this.find(id));
    const rule = this.validate({ ...current, ...patch });
    return toView(
      await this.prisma.surveyRule.update({
        where: { id },
        data: { ...columns(rule), updatedAt: new Date() },
      }),
    );
  }

  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.prisma.surveyRule.deleteMany({ where: { id } });
  }

  async decisions(
    id: string,
    outcome: Outcome | undefined,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<DecisionView>> {
    // The cursor first: a forged one is a 400 INVALID_CURSOR whatever the id.
    const position = DECISION_CURSOR.decode(cursor);
    await this.find(id);
    const rows = await this.prisma.surveyDecision.findMany({
      where: {
        ruleId: id,
        ...(outcome !== undefined && { outcome }),
        ...(position !== null && {
          OR: [
            { decidedAt: { lt: position[0] } },
            { decidedAt: position[0], id: { lt: position[1] } },
          ],
        }),
      },
      orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    return toPage(rows, limit, toDecisionView, (row) =>
      DECISION_CURSOR.encode([row.decidedAt, row.id]),
    );
  }
}
