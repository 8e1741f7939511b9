import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';
import { DatabaseOutage } from './database-outage.service';
import { DatabaseService } from './database.service';

@Global()
@Module({
  providers: [
    {
      provide: DatabaseConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => DatabaseConnection.open(config),
    },
    DatabaseService,
    DatabaseOutage,
  ],
  exports: [DatabaseService, DatabaseOutage],
})
export class DatabaseModule {}
