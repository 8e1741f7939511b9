import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { loggerParams } from './common/logging';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import type { Environment } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { ConversationsModule } from './conversations/conversations.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { ReactionsModule } from './reactions/reactions.module';
import { ScoresModule } from './surveys/scores/scores.module';
import { SurveysModule } from './surveys/surveys.module';
import { WebhookModule } from './webhook/webhook.module';

/**
 * A dynamic module so that the environment is read when the application is built, not when this
 * file is imported (tests set it per file).
 */
@Module({})
export class AppModule {
  /** `parsed`: the environment main.ts has validated already (AppConfigModule). */
  static register(parsed?: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.register(parsed),
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerParams }),
        DatabaseModule,
        EventsModule,
        ConversationsModule,
        ReactionsModule,
        HealthModule,
        SurveysModule,
        ScoresModule,
        WebhookModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
