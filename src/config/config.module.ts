import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, loadEnvironment } from './app-config';

@Global()
@Module({})
export class AppConfigModule {
  /** Reads and validates the environment now (ConfigModule.forRoot validates when called). */
  static register(): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, cache: true, validate: loadEnvironment }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
