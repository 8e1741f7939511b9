import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { AppError } from './app-error';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Every `/api/*` route needs `Authorization: Bearer <API_TOKEN>` (registered globally). */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = digest(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/api/') && request.url !== '/api') return true;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Hashing both sides gives equal lengths, so the comparison itself leaks nothing.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'a valid bearer token is required');
  }
}
