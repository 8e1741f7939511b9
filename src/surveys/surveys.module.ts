import { CUSTOMER_DATA } from '../common/customer-data';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConversationsModule } from '../conversations/conversations.module';
import { OutboundModule } from '../outbound/outbound.module';
import { SurveyAnswerRepository } from './answers/survey-answer.repository';
import { SurveyAnswersHandler } from './answers/survey-answers.handler';
import { GraphEndpoint } from './graph/graph-endpoint';
import { DEFAULT_GRAPH_CLIENT_OPTIONS, GraphSendApiClient } from './graph/graph-send-api.client';
import { SurveyExpiry } from './survey-expiry.service';
import { SurveyPages } from './survey-pages.service';
import { SurveySender } from './survey-sender.service';
import { SurveyRepository } from './survey.repository';
import { SurveysController } from './surveys.controller';
import { SurveysService } from './surveys.service';
import { SurveyDataOwner } from './survey-data.owner';

/** Customer Feedback Template surveys: sending, answers and expiry (scores: ScoresModule). */
@Module({
  imports: [ConversationsModule, OutboundModule],
  controllers: [SurveysController],
  providers: [
    GraphEndpoint,
    {
      provide: GraphSendApiClient,
      inject: [AppConfig, GraphEndpoint],
      useFactory: (config: AppConfig, endpoint: GraphEndpoint) =>
        new GraphSendApiClient({
          ...DEFAULT_GRAPH_CLIENT_OPTIONS,
          baseUrl: () => endpoint.baseUrl,
          version: config.graphApiVersion,
        }),
    },
    SurveyRepository,
    SurveyAnswerRepository,
    SurveyPages,
    SurveySender,
    SurveysService,
    SurveyExpiry,
    SurveyAnswersHandler,
    SurveyDataOwner,
    { provide: CUSTOMER_DATA, useExisting: SurveyDataOwner },
  ],
  // For the sandbox: its simulated Graph API, and the demo's back-dated surveys; for automation:
  // the one send path.
  exports: [GraphEndpoint, SurveyRepository, SurveySender],
})
export class SurveysModule {}
