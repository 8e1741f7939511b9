import { Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../common/customer-data';
import { ReactionDataOwner } from './reaction-data.owner';
import { ReactionEventsHandler } from './reaction-events.handler';
import { ReactionRepository } from './reaction.repository';
import { ReactionsService } from './reactions.service';

/** Reactions to messages: the handler that stores them and the reads the conversations API shows. */
@Module({
  providers: [
    ReactionRepository,
    ReactionsService,
    ReactionEventsHandler,
    ReactionDataOwner,
    { provide: CUSTOMER_DATA, useExisting: ReactionDataOwner },
  ],
  exports: [ReactionsService],
})
export class ReactionsModule {}
