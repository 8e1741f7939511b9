import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { SessionVerifier } from '../common/route-auth';
import { AppConfig } from '../config/app-config';
import { asDatabaseUnavailable } from '../database/database-errors';
import { DatabaseService } from '../database/database.service';

/** A session id is 32 random bytes, base64url: 43 characters. Anything else is no session. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/**
 * Dashboard sessions, kept on the server so that logging out ends one for good: the cookie holds
 * a random id, the table its SHA-256 only. A session lasts SESSION_TTL_HOURS from its login
 * (fixed, not sliding: a check is one indexed read and never a write).
 */
@Injectable()
export class SessionStore implements SessionVerifier {
  /** The clock sessions are measured by: a test replaces it to move past an expiry. */
  now: () => number = Date.now;

  constructor(
    private readonly prisma: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  /** Starts a session and returns its id (for the cookie) and when it ends. */
  async create(): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(32).toString('base64url');
    const now = new Date(this.now());
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlMs);
    await this.guard(async () => {
      // Sessions past their end are swept here: at most as many as logins since the last sweep.
      await this.prisma.dashboardSession.deleteMany({ where: { expiresAt: { lte: now } } });
      await this.prisma.dashboardSession.create({
        data: { idHash: hashOf(id), createdAt: now, expiresAt },
      });
    });
    return { id, expiresAt };
  }

  async isActive(id: string): Promise<boolean> {
    return (await this.expiryOf(id)) !== null;
  }

  /** When the live session `id` names ends; null if it names none (unknown, ended, expired). */
  async expiryOf(id: string): Promise<Date | null> {
    if (!SESSION_ID.test(id)) return null;
    const row = await this.guard(() =>
      this.prisma.dashboardSession.findUnique({ where: { idHash: hashOf(id) } }),
    );
    return row !== null && row.expiresAt.getTime() > this.now() ? row.expiresAt : null;
  }

  /** Ends the session `id` names, if any. */
  async end(id: string): Promise<void> {
    if (!SESSION_ID.test(id)) return;
    await this.guard(() =>
      this.prisma.dashboardSession.deleteMany({ where: { idHash: hashOf(id) } }),
    );
  }

  /** A database that does not answer is a 503 like on every other route, not a 500. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw asDatabaseUnavailable(error) ?? error;
    }
  }
}
