import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConversationsModule } from '../conversations/conversations.module';
import { SurveyAnswerRepository } from './answers/survey-answer.repository';
import { SurveyAnswersHandler } from './answers/survey-answers.handler';
import { DEFAULT_GRAPH_CLIENT_OPTIONS, GraphSendApiClient } from './graph/graph-send-api.client';
import { SurveyExpiry } from './survey-expiry.service';
import { SurveyPages } from './survey-pages.service';
import { SurveySender } from './survey-sender.service';
import { SurveyRepository } from './survey.repository';
import { SurveysController } from './surveys.controller';
import { SurveysService } from './surveys.service';

/** Customer Feedback Template surveys: sending, answers and expiry (scores: ScoresModule). */
@Module({
  imports: [ConversationsModule],
  controllers: [SurveysController],
  providers: [
    {
      provide: GraphSendApiClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new GraphSendApiClient({
          ...DEFAULT_GRAPH_CLIENT_OPTIONS,
          baseUrl: config.graphApiUrl,
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
  ],
})
export class SurveysModule {}
