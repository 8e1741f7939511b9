import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { isValidSignature } from './webhook-signature';

/** Refuses a delivery whose signature is missing or wrong, before its body is even parsed. */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (request.rawBody && isValidSignature(request.rawBody, signature, this.config.appSecret))
      return true;
    throw new AppError(
      HttpStatus.UNAUTHORIZED,
      'INVALID_SIGNATURE',
      'X-Hub-Signature-256 is missing or does not match the body',
    );
  }
}
