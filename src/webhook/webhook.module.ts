import { Module } from '@nestjs/common';
import { EventProcessor } from './event-processor.service';
import { EventSweeper } from './event-sweeper.service';
import { InboxRepository } from './inbox.repository';
import { InboxWriter } from './inbox-writer.service';
import { WebhookEventsController } from './webhook-events.controller';
import { WebhookIntake } from './webhook-intake.service';
import { WebhookController } from './webhook.controller';
import { WebhookDeliveryRoute } from './webhook-delivery.route';

@Module({
  controllers: [WebhookController, WebhookEventsController],
  providers: [
    InboxRepository,
    InboxWriter,
    EventProcessor,
    EventSweeper,
    WebhookIntake,
    WebhookDeliveryRoute,
  ],
  exports: [EventProcessor, EventSweeper],
})
export class WebhookModule {}
