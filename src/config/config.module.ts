import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, LOADED_ENVIRONMENT, loadEnvironment } from './app-config';

@Global()
@Module({})
export class AppConfigModule {
  /** Reads and validates the environment now, when the application is built. */
  static register(): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: LOADED_ENVIRONMENT, useValue: loadEnvironment(process.env) },
        AppConfig,
      ],
      exports: [AppConfig],
    };
  }
}
