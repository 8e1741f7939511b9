import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  asDatabaseUnavailable,
  DatabaseUnavailableError,
} from '../database/database-errors';
import { DatabaseOutage } from '../database/database-outage.service';
import { AppError } from './app-error';
import { redactUrl } from './logging';

/** The stable `code` for a status when the thrower gave none. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (body parsing, limits) that reach Nest as plain errors with a statusCode. */
const CODE_BY_FASTIFY_CODE: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code: string;
  [extra: string]: unknown;
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string'
    ? name
        .toLowerCase()
        .split('_')
        .map((word) => word[0].toUpperCase() + word.slice(1))
        .join(' ')
    : 'Error';
}

export function errorBody(
  status: number,
  code: string,
  message: string | string[],
  extra = {},
): ErrorBody {
  return { statusCode: status, error: reasonPhrase(status), message, code, ...extra };
}

/** One error shape for every route (docs/api.md): `{statusCode, error, message, code}`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  // Optional: the filter also serves an application built without the database module.
  constructor(@Optional() private readonly outage?: DatabaseOutage) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const route = `${request.method} ${redactUrl(request.url)}`;
    const unavailable = this.databaseUnavailable(exception);
    let body: ErrorBody;
    if (unavailable) {
      // An outage refuses many requests a second: one line each, no stack (it says nothing new),
      // and the outage's own start and end lines from DatabaseOutage.
      this.outage?.refused(unavailable.reason);
      body = errorBody(503, unavailable.code, unavailable.messages);
      this.logger.warn(`${route} → 503 ${unavailable.code} (${unavailable.reason})`);
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    } else {
      body = this.toBody(exception);
      if (body.statusCode === 500) {
        // The id in the answer finds the one log line (with its stack) that explains it.
        const errorId = randomUUID();
        body = errorBody(500, body.code, `Internal server error (id ${errorId})`, { errorId });
        this.logger.error({
          msg: `unexpected error ${errorId}: ${route}`,
          errorId,
          err: exception instanceof Error ? exception : new Error(String(exception)),
        });
      } else if (body.statusCode < 500) {
        this.logger.warn(`${route} → ${body.statusCode} ${body.code}`);
      }
    }
    if (exception instanceof AppError) void reply.headers(exception.headers);
    void reply
      .status(body.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  }

  /** The database did not answer: thrown as such, or a driver or Prisma error that says so. */
  private databaseUnavailable(exception: unknown): DatabaseUnavailableError | null {
    if (exception instanceof DatabaseUnavailableError) return exception;
    if (exception instanceof HttpException || exception instanceof AppError) return null;
    const status = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status < 500) return null;
    return asDatabaseUnavailable(exception);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppError) {
      return errorBody(exception.status, exception.code, exception.messages, exception.details);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const fields =
        typeof response === 'object' && response !== null
          ? (response as Record<string, unknown>)
          : {};
      const message = (fields.message as string | string[] | undefined) ?? exception.message;
      const code =
        typeof fields.code === 'string' ? fields.code : (CODE_BY_STATUS[status] ?? 'ERROR');
      return errorBody(status, code, message);
    }
    const fastify = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (
      typeof fastify.statusCode === 'number' &&
      fastify.statusCode >= 400 &&
      fastify.statusCode < 500
    ) {
      const code =
        (typeof fastify.code === 'string' && CODE_BY_FASTIFY_CODE[fastify.code]) ||
        CODE_BY_STATUS[fastify.statusCode] ||
        'BAD_REQUEST';
      return errorBody(fastify.statusCode, code, String(fastify.message));
    }
    return errorBody(500, 'INTERNAL_ERROR', 'Internal server error');
  }
}
