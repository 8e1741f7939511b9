import { Module } from '@nestjs/common';
import { ReactionEventsHandler } from './reaction-events.handler';
import { ReactionRepository } from './reaction.repository';
import { ReactionsService } from './reactions.service';

/** Reactions to messages: the handler that stores them and the reads the conversations API shows. */
@Module({
  providers: [ReactionRepository, ReactionsService, ReactionEventsHandler],
  exports: [ReactionsService],
})
export class ReactionsModule {}
