import { Module } from '@nestjs/common';
import { CUSTOMER_DATA } from '../common/customer-data';
import { ResponseFeedbackDataOwner } from './response-feedback-data.owner';
import { OutboundModule } from '../outbound/outbound.module';
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
  imports: [OutboundModule],
  controllers: [ResponseFeedbackController],
  providers: [
    ResponseFeedbackRepository,
    ResponseFeedbackService,
    ResponseFeedbackHandler,
    ResponseFeedbackDataOwner,
    { provide: CUSTOMER_DATA, useExisting: ResponseFeedbackDataOwner },
  ],
  exports: [ResponseFeedbackService],
})
export class ResponseFeedbackModule {}
