import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Connections the embedded database's socket server admits (the pool still uses only one). */
export const EMBEDDED_MAX_CONNECTIONS = 2;

/**
 * PostgreSQL in-process (PGlite), served on loopback so that the same pg driver, adapter and SQL
 * serve it and a real server alike. It runs one session, so the pool that uses it must have one
 * connection, and no code may wait on a second connection while it holds one.
 */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedDatabase> {
    const dir = join(dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    const db = await PGlite.create(dir);
    // The pool uses one connection at a time, but when it drops one (after a failed statement or a
    // timeout) and opens the next at once, the server may not yet have seen the first one close:
    // with room for only one it would refuse the replacement, and the request after an error
    // would fail too. One spare slot lets the new connection in while the old one goes.
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: EMBEDDED_MAX_CONNECTIONS,
    });
    await server.start();
    return new EmbeddedDatabase(
      db,
      server,
      `postgresql://postgres@${server.getServerConn()}/postgres`,
    );
  }

  async close(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
