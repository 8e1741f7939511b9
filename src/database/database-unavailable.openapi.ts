import type { OpenAPIObject } from '@nestjs/swagger';
import { DATABASE_RETRY_AFTER_SECONDS } from './database-errors';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The 503 any operation may answer when the database does not answer within DATABASE_TIMEOUT_MS. */
export const DATABASE_UNAVAILABLE_RESPONSE = {
  description:
    'DATABASE_UNAVAILABLE: the database did not answer within the configured bound (or refused the connection); nothing was changed. Try again after Retry-After seconds.',
  headers: {
    'Retry-After': {
      description: 'seconds to wait before trying again',
      schema: { type: 'integer', example: DATABASE_RETRY_AFTER_SECONDS },
    },
  },
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['statusCode', 'error', 'message', 'code'],
        properties: {
          statusCode: { type: 'integer', example: 503 },
          error: { type: 'string', example: 'Service Unavailable' },
          message: { type: 'string', example: 'The database is not answering; try again later' },
          code: { type: 'string', enum: ['DATABASE_UNAVAILABLE'] },
        },
      },
    },
  },
};

/**
 * Adds that 503 to every operation of the document, except one that documents a 503 of its own
 * (`/health`, whose answer has its own shape).
 */
export function documentDatabaseUnavailable(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation && !operation.responses['503']) {
        operation.responses['503'] = DATABASE_UNAVAILABLE_RESPONSE;
      }
    }
  }
}
