import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { CursorCodec } from '../common/cursor';
import { Page, toPage } from '../common/pagination';
import { AppConfig } from '../config/app-config';
import { assertResolvesPublic, checkUrl, RefusedAddressError } from './address-guard';
import { webhookId } from './delivery-worker.service';
import type {
  CreatedWebhookSubscriptionDto,
  CreateWebhookSubscriptionDto,
  ListDeliveriesQuery,
  LowScoreDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
} from './dto/webhook-subscription.dto';
import { DEFAULT_LOW_SCORE, type LowScoreThresholds, PING_EVENT } from './outbound-event';
import { DeliveryRow, OutboundRepository, SubscriptionRow } from './outbound.repository';
import { DeliveryWorker } from './delivery-worker.service';
import type { ListQueryDto } from '../common/pagination';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Newest first: (createdAt, id), for subscriptions and deliveries alike. */
const CURSOR = new CursorCodec(['instant', 'uuid']);

function toView(row: SubscriptionRow): WebhookSubscriptionDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    lowScore: row.lowScore,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    webhookId: webhookId(row.id),
    subscriptionId: row.subscriptionId,
    type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastDurationMs: row.lastDurationMs,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    payload: JSON.parse(row.body) as Record<string, unknown>,
  };
}

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks spelling of a signing secret. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function thresholds(base: LowScoreThresholds, change: LowScoreDto | undefined): LowScoreThresholds {
  return {
    csat: change?.csat ?? base.csat,
    nps: change?.nps ?? base.nps,
    ces: change?.ces ?? base.ces,
  };
}

/** The routes of /api/webhook-subscriptions. */
@Injectable()
export class WebhookSubscriptions {
  constructor(
    private readonly repository: OutboundRepository,
    private readonly worker: DeliveryWorker,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateWebhookSubscriptionDto): Promise<CreatedWebhookSubscriptionDto> {
    const url = await this.checkedUrl(body.url);
    const secret = newSecret();
    const row = await this.repository.createSubscription(
      {
        url,
        events: body.events,
        lowScore: thresholds(DEFAULT_LOW_SCORE, body.lowScore),
        description: body.description ?? null,
        secret,
      },
      this.clock.now(),
    );
    return { ...toView(row), secret };
  }

  async list(query: ListQueryDto): Promise<Page<WebhookSubscriptionDto>> {
    const position = CURSOR.decode(query.cursor);
    const after = position && { createdAt: position[0], id: position[1] };
    const rows = await this.repository.listSubscriptions(query.limit + 1, after);
    return toPage(rows, query.limit, toView, (row) => CURSOR.encode([row.createdAt, row.id]));
  }

  async get(id: string): Promise<WebhookSubscriptionDto> {
    return toView(await this.find(id));
  }

  async update(id: string, body: UpdateWebhookSubscriptionDto): Promise<WebhookSubscriptionDto> {
    const current = await this.find(id);
    const reenabled = body.enabled === true && !current.enabled;
    const row = await this.repository.updateSubscription(
      id,
      {
        ...(body.url !== undefined ? { url: await this.checkedUrl(body.url) } : {}),
        ...(body.events !== undefined ? { events: body.events } : {}),
        ...(body.lowScore !== undefined
          ? { lowScore: thresholds(current.lowScore, body.lowScore) }
          : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        // Enabled again: its run of failures starts afresh, so it gets another day.
        ...(reenabled ? { disabledReason: null, failingSince: null } : {}),
      },
      this.clock.now(),
    );
    if (row === null) throw AppError.notFound(`webhook subscription ${id}`);
    if (reenabled) this.worker.wake();
    return toView(row);
  }

  async remove(id: string): Promise<void> {
    const deleted = UUID.test(id) && (await this.repository.deleteSubscription(id));
    if (!deleted) throw AppError.notFound(`webhook subscription ${id}`);
  }

  /** Queues a `ping` for this subscription alone, sent like any event. */
  async test(id: string): Promise<WebhookDeliveryDto> {
    const subscription = await this.findEnabled(id);
    const now = this.clock.now();
    const body = JSON.stringify({
      type: PING_EVENT,
      timestamp: now.toISOString(),
      data: { subscriptionId: subscription.id, message: 'a test delivery' },
    });
    const row = await this.repository.insertPing(subscription.id, body, now);
    // Disabled between the two reads: nothing was queued.
    if (row === null) throw disabled(id);
    this.worker.wake();
    return toDeliveryView(row);
  }

  async deliveries(id: string, query: ListDeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    // The cursor first: a forged one is INVALID_CURSOR whatever the subscription.
    const position = CURSOR.decode(query.cursor);
    const after = position && { createdAt: position[0], id: position[1] };
    await this.find(id);
    const rows = await this.repository.listDeliveries(id, query.status, query.limit + 1, after);
    return toPage(rows, query.limit, toDeliveryView, (row) =>
      CURSOR.encode([row.createdAt, row.id]),
    );
  }

  /** Makes a delivery due now, whatever its state (a success is sent again). */
  async retry(id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.findEnabled(id);
    const row = UUID.test(deliveryId)
      ? await this.repository.requeueDelivery(id, deliveryId, this.clock.now())
      : null;
    if (row === null) throw AppError.notFound(`delivery ${deliveryId}`);
    this.worker.wake();
    return toDeliveryView(row);
  }

  private async find(id: string): Promise<SubscriptionRow> {
    const row = UUID.test(id) ? await this.repository.findSubscription(id) : null;
    if (row === null) throw AppError.notFound(`webhook subscription ${id}`);
    return row;
  }

  private async findEnabled(id: string): Promise<SubscriptionRow> {
    const row = await this.find(id);
    if (!row.enabled) throw disabled(id);
    return row;
  }

  /** The scheme rule always; the address rule in production (unless private addresses are allowed). */
  private async checkedUrl(raw: string): Promise<string> {
    try {
      const url = checkUrl(raw, this.config.outboundWebhooksHttpsOnly);
      if (this.config.outboundWebhooksGuarded) await assertResolvesPublic(url);
      return raw;
    } catch (error) {
      if (error instanceof RefusedAddressError) throw AppError.validation([error.message]);
      throw error;
    }
  }
}

function disabled(id: string): AppError {
  return new AppError(
    HttpStatus.CONFLICT,
    'SUBSCRIPTION_DISABLED',
    `webhook subscription ${id} is disabled: enable it first (PATCH {"enabled": true})`,
  );
}
