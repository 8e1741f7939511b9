import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { DatabaseConnection } from './database-connection';

/**
 * The application's database: the Prisma client over the shared pg pool (driver adapter: no query
 * engine binary). Repositories use it for typed queries and `pool` for the few hot paths written
 * in SQL; it closes both on shutdown. Named for that role, not for the one library inside it.
 */
@Injectable()
export class DatabaseService extends PrismaClient implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(private readonly connection: DatabaseConnection) {
    super({ adapter: new PrismaPg(connection.pool) });
    this.pool = connection.pool;
  }

  /**
   * Whether this is the embedded database, whose one session the pool hands out: nothing may hold
   * a connection there while it waits on anything else (a slow HTTP client, say).
   */
  get embedded(): boolean {
    return this.connection.embedded !== null;
  }

  /** After the HTTP server has finished its in-flight requests (Nest closes it before this hook). */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.connection.close();
  }
}
