import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Routes that are not Nest controllers (the webhook's delivery route is a plain Fastify route)
 * describe themselves in the OpenAPI document through this token, so that building the document
 * needs no import of the module that owns them.
 */
export const OPENAPI_CONTRIBUTOR = Symbol('OPENAPI_CONTRIBUTOR');

export interface OpenApiContributor {
  describe(document: OpenAPIObject): void;
}
