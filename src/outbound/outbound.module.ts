import { Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../common/customer-data';
import { OutboundDataOwner } from './outbound-data.owner';
import { DeliveryWorker } from './delivery-worker.service';
import { OutboundEvents } from './outbound-events.service';
import { OutboundRepository } from './outbound.repository';
import { WebhookSubscriptionsController } from './webhook-subscriptions.controller';
import { WebhookSubscriptions } from './webhook-subscriptions.service';

/**
 * Outbound webhooks: subscriptions, the outbox (OutboundEvents, called by the modules whose
 * changes are reported, on their own transaction) and the worker that delivers it. It imports no
 * feature: callers hand it the API views they already have.
 */
@Module({
  controllers: [WebhookSubscriptionsController],
  providers: [
    OutboundRepository,
    OutboundEvents,
    DeliveryWorker,
    WebhookSubscriptions,
    OutboundDataOwner,
    { provide: CUSTOMER_DATA, useExisting: OutboundDataOwner },
  ],
  exports: [OutboundEvents],
})
export class OutboundModule {}
