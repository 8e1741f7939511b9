import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';
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
  ],
  exports: [PrismaService],
})
export class DatabaseModule {}
