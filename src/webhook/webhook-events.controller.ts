import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AppError } from '../common/app-error';
import { decodeCursor, Page, toPage } from '../common/pagination';
import {
  ListWebhookEventsQuery,
  WebhookEventDto,
  WebhookEventPageDto,
} from './dto/webhook-event.dto';
import { EventProcessor } from './event-processor.service';
import { InboxRepository, InboxRow } from './inbox.repository';
import { PUBLISH_LEASE_MS } from './inbox-writer.service';
import { toStoredEvent } from './event-sweeper.service';

function toDto(row: InboxRow): WebhookEventDto {
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

const MAX_BIGINT = 2n ** 63n - 1n;

/** `value` when it is an event id the bigint column can hold, else null (never a database error). */
function eventId(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[1-9]\d{0,18}$/.test(value)) return null;
  return BigInt(value) <= MAX_BIGINT ? value : null;
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/webhook-events')
export class WebhookEventsController {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly processor: EventProcessor,
  ) {}

  @Get()
  @ApiOkResponse({
    type: WebhookEventPageDto,
    description: 'stored events that are not (yet) processed, oldest first',
  })
  async list(@Query() query: ListWebhookEventsQuery): Promise<Page<WebhookEventDto>> {
    const [after] = decodeCursor(query.cursor, 1) ?? [null];
    const afterId = after === null ? null : eventId(after);
    if (after !== null && afterId === null) {
      throw new AppError(HttpStatus.BAD_REQUEST, 'INVALID_CURSOR', 'cursor is not valid');
    }
    const rows = await this.inbox.list(query.status, query.limit + 1, afterId);
    return toPage(rows, query.limit, toDto, (row) => [row.id]);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: WebhookEventDto,
    description: 'the event, queued to be processed again',
  })
  @ApiNotFoundResponse()
  async retry(@Param('id') id: string): Promise<WebhookEventDto> {
    const row = eventId(id) === null ? null : await this.inbox.requeue(id, PUBLISH_LEASE_MS);
    if (!row) throw AppError.notFound(`webhook event ${id}`);
    this.processor.enqueue([toStoredEvent(row)]); // unknown events stay as they are
    return toDto(row);
  }
}
