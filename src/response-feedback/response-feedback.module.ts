import { Module } from '@nestjs/common';
import { ResponseFeedbackController } from './response-feedback.controller';
import { ResponseFeedbackHandler } from './response-feedback.handler';
import { ResponseFeedbackRepository } from './response-feedback.repository';
import { ResponseFeedbackService } from './response-feedback.service';

/**
 * Thumbs up / thumbs down on the Page's messages (`response_feedback`): not a survey answer, so
 * not part of surveys. The conversations module imports it for the message read API
 * (ResponseFeedbackService.feedbackForMessages), as it imports reactions; that import is what
 * brings it into the app (the app module's own list would move its route in the OpenAPI document).
 */
@Module({
  controllers: [ResponseFeedbackController],
  providers: [ResponseFeedbackRepository, ResponseFeedbackService, ResponseFeedbackHandler],
  exports: [ResponseFeedbackService],
})
export class ResponseFeedbackModule {}
