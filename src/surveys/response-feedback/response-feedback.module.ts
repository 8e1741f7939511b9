import { Module } from '@nestjs/common';
import { ResponseFeedbackController } from './response-feedback.controller';
import { ResponseFeedbackHandler } from './response-feedback.handler';
import { ResponseFeedbackRepository } from './response-feedback.repository';
import { ResponseFeedbackService } from './response-feedback.service';

/**
 * Thumbs up / thumbs down on the Page's messages. A module of its own so that the conversations
 * module can import it (ResponseFeedbackService.feedbackForMessages) without a cycle through
 * surveys, which imports conversations.
 */
@Module({
  controllers: [ResponseFeedbackController],
  providers: [ResponseFeedbackRepository, ResponseFeedbackService, ResponseFeedbackHandler],
  exports: [ResponseFeedbackService],
})
export class ResponseFeedbackModule {}
