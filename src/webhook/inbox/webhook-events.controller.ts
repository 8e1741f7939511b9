import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AppError } from '../../common/app-error';
import { CursorCodec, isRowId } from '../../common/cursor';
import { Page, toPage } from '../../common/pagination';
import {
  ListWebhookEventsQuery,
  WebhookEventDto,
  WebhookEventPageDto,
} from './dto/webhook-event.dto';
import { EventProcessor } from './event-processor.service';
import { InboxRepository } from './inbox.repository';
import { toStoredEvent } from './stored-event';
import { AppConfig } from '../../config/app-config';
import { toWebhookEventDto } from './webhook-event-view';

/** Stored events, oldest first: (event id). */
const EVENT_CURSOR = new CursorCodec(['id']);

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/webhook-events')
export class WebhookEventsController {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly processor: EventProcessor,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Stored events not (yet) processed, with the reason' })
  @ApiOkResponse({
    type: WebhookEventPageDto,
    description: 'stored events that are not (yet) processed, oldest first',
  })
  async list(@Query() query: ListWebhookEventsQuery): Promise<Page<WebhookEventDto>> {
    const [afterId] = EVENT_CURSOR.decode(query.cursor) ?? [null];
    const rows = await this.inbox.list(query.status, query.limit + 1, afterId);
    return toPage(rows, query.limit, toWebhookEventDto, (row) => EVENT_CURSOR.encode([row.id]));
  }

  @Post(':id/retry')
  @ApiOperation({ summary: 'Process a stored event again' })
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: WebhookEventDto,
    description: 'the event, queued to be processed again',
  })
  @ApiNotFoundResponse()
  async retry(@Param('id') id: string): Promise<WebhookEventDto> {
    const row = !isRowId(id) ? null : await this.inbox.requeue(id, this.config.webhookLeaseMs);
    if (!row) throw AppError.notFound(`webhook event ${id}`);
    this.processor.enqueue([toStoredEvent(row)]); // unknown events stay as they are
    return toWebhookEventDto(row);
  }
}
