import { DynamicModule, Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../common/customer-data';
import type { ProcessRole } from '../config/environment';
import { OPENAPI_CONTRIBUTOR } from '../common/openapi-contributor';
import { OutboundModule } from '../outbound/outbound.module';
import { EventProcessor } from './inbox/event-processor.service';
import { EventSweeper } from './inbox/event-sweeper.service';
import { InboxDataOwner } from './inbox/inbox-data.owner';
import { InboxListener } from './inbox/inbox-listener.service';
import { InboxMetrics } from './inbox/inbox-metrics';
import { InboxRepository } from './inbox/inbox.repository';
import { InboxWriter } from './inbox/inbox-writer.service';
import { WebhookEventsController } from './inbox/webhook-events.controller';
import { WebhookIntake } from './intake/webhook-intake.service';
import { WebhookController } from './intake/webhook.controller';
import { WebhookDeliveryRoute } from './intake/webhook-delivery.route';

const PROVIDERS = [
  InboxRepository,
  InboxMetrics,
  InboxWriter,
  EventProcessor,
  EventSweeper,
  WebhookIntake,
  WebhookDeliveryRoute,
  InboxListener,
  { provide: OPENAPI_CONTRIBUTOR, useExisting: WebhookDeliveryRoute },
  InboxDataOwner,
  { provide: CUSTOMER_DATA, useExisting: InboxDataOwner },
];

/**
 * The webhook's intake and inbox. On a `worker` (PROCESS_ROLE) the webhook's routes do not exist:
 * neither the handshake controller nor the delivery route (WebhookDeliveryRoute checks the role).
 */
@Module({})
export class WebhookModule {
  static forRole(role: ProcessRole): DynamicModule {
    return {
      module: WebhookModule,
      imports: [OutboundModule],
      controllers:
        role === 'worker'
          ? [WebhookEventsController]
          : [WebhookController, WebhookEventsController],
      providers: PROVIDERS,
    };
  }
}
