import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { RouteAuthentication } from './route-auth';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The one error shape of every route (http-exception.filter.ts), as a schema clients can use. */
const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'code'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: 'what is wrong; for VALIDATION_FAILED, one entry per failing field',
    },
    code: { type: 'string', description: 'stable, machine-readable', example: 'VALIDATION_FAILED' },
    errorId: {
      type: 'string',
      description: 'on a 500 only: the id of the log line that describes the failure',
    },
  },
};
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/**
 * What every operation of the document says the same way, derived from the code rather than
 * repeated on each controller: its security from the one public list (route-auth.ts), with the
 * 401 that follows; the 400 of a validated query; the error schema on every error answer; a
 * server, so relative paths resolve.
 */
export function applyOpenApiConventions(document: OpenAPIObject, auth: RouteAuthentication): void {
  document.servers = document.servers?.length ? document.servers : [{ url: '/' }];
  document.info.license ??= { name: 'UNLICENSED' };
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Error: ERROR_SCHEMA };
  for (const [path, item] of Object.entries(document.paths)) {
    const pattern = path.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (auth.isPublic(method.toUpperCase(), pattern)) {
        operation.security = [];
      } else {
        operation.security = [{ bearer: [] }, { session: [] }];
        operation.responses['401'] ??= {
          description:
            'UNAUTHORIZED: no valid `Authorization: Bearer <API_TOKEN>` nor dashboard session cookie',
        };
        if (method !== 'get') {
          operation.responses['403'] ??= {
            description:
              'CSRF_REJECTED: made with the session cookie, but not from the dashboard’s own origin',
          };
        }
      }
      // Every query is validated (validation.pipe.ts): a bad one is answered before the handler.
      const queried = operation.parameters?.some((p) => 'in' in p && p.in === 'query');
      if (queried) {
        operation.responses['400'] ??= {
          description: 'VALIDATION_FAILED: a query parameter is invalid; each one is named',
        };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (
          /^[45]\d\d$/.test(status) &&
          response &&
          'description' in response &&
          !response.content
        ) {
          response.content = ERROR_CONTENT;
        }
      }
    }
  }
}
