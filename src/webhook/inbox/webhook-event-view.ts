import type { WebhookEventDto } from './dto/webhook-event.dto';
import type { InboxRow } from './stored-event';

/** A stored event as GET /api/webhook-events shows it (and webhook_event.dead carries it). */
export function toWebhookEventDto(row: InboxRow): WebhookEventDto {
  return {
    id: row.id,
    kind: row.kind,
    pageId: row.pageId,
    userId: row.userId,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    reason: row.reason,
    receivedAt: row.receivedAt.toISOString(),
  };
}
