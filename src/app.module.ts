import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { Clock, ClockModule } from './common/clock';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { loggerParams } from './common/logging';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { Environment, parseEnvironment } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ConversationsModule } from './conversations/conversations.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OutboundModule } from './outbound/outbound.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ReactionsModule } from './reactions/reactions.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { ExportsModule } from './surveys/exports/exports.module';
import { ScoresModule } from './surveys/scores/scores.module';
import { SurveysModule } from './surveys/surveys.module';
import { AutomationModule } from './automation/automation.module';
import { WebhookModule } from './webhook/webhook.module';

/**
 * A dynamic module so that the environment is read when the application is built, not when this
 * file is imported (tests set it per file).
 */
@Module({})
export class AppModule {
  /**
   * `parsed`: the environment main.ts has validated already (AppConfigModule); `clock`: the time
   * source, real time unless a test passes its own (src/common/clock.ts).
   */
  static register(parsed?: Environment, clock?: Clock): DynamicModule {
    const env = parsed ?? parseEnvironment(process.env);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.register(env),
        ClockModule.register(clock),
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerParams }),
        DatabaseModule,
        MetricsModule,
        EventsModule,
        OutboundModule,
        ConversationsModule,
        ReactionsModule,
        HealthModule,
        SurveysModule,
        AutomationModule,
        ScoresModule,
        ExportsModule,
        WebhookModule.forRole(env.PROCESS_ROLE),
        PrivacyModule,
        // Only when on: with the sandbox off its routes do not exist at all.
        ...(env.MESSENGER_SANDBOX ? [SandboxModule] : []),
        DashboardModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
