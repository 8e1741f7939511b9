import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';
import { DatabaseOutage } from './database-outage.service';
import { PrismaService } from './prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: DatabaseConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => DatabaseConnection.open(config),
    },
    PrismaService,
    DatabaseOutage,
  ],
  exports: [PrismaService, DatabaseOutage],
})
export class DatabaseModule {}
