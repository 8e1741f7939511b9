import { Module } from '@nestjs/common';
import { OPENAPI_CONTRIBUTOR } from '../common/openapi-contributor';
import { EventProcessor } from './inbox/event-processor.service';
import { EventSweeper } from './inbox/event-sweeper.service';
import { InboxRepository } from './inbox/inbox.repository';
import { InboxWriter } from './inbox/inbox-writer.service';
import { WebhookEventsController } from './inbox/webhook-events.controller';
import { WebhookIntake } from './intake/webhook-intake.service';
import { WebhookController } from './intake/webhook.controller';
import { WebhookDeliveryRoute } from './intake/webhook-delivery.route';

@Module({
  controllers: [WebhookController, WebhookEventsController],
  providers: [
    InboxRepository,
    InboxWriter,
    EventProcessor,
    EventSweeper,
    WebhookIntake,
    WebhookDeliveryRoute,
    { provide: OPENAPI_CONTRIBUTOR, useExisting: WebhookDeliveryRoute },
  ],
})
export class WebhookModule {}
