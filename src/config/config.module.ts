import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, loadEnvironment } from './app-config';
import type { Environment } from './environment';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * Reads and validates the environment now, when the application is built, unless main.ts has
   * validated it already and passes it (`parsed`). ConfigService holds
   * the validated object only: `skipProcessEnv`, because its `get` otherwise falls back to
   * process.env for a value validated to undefined, which let an empty variable past validation.
   */
  static register(parsed?: Environment): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => loadEnvironment(parsed)],
        }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
