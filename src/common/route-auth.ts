import { HttpStatus } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { AppError } from './app-error';
import { errorBody } from './http-exception.filter';

/** A route as the router holds it: its method and its pattern (`/api/messages/:mid`). */
export interface RouteKey {
  readonly method: string;
  readonly url: string;
}

interface PublicRoute extends RouteKey {
  /** Public only outside production; in production it needs the token like any other route. */
  readonly outsideProductionOnly?: boolean;
}

/**
 * The only routes anyone may call without `Authorization: Bearer <API_TOKEN>`, as route patterns
 * (what the router matched, never the raw URL). Every other route, and every path that matches no
 * route, needs the token. A HEAD request counts as the GET of the same pattern.
 */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { method: 'GET', url: '/health' },
  // Meta's subscription handshake and deliveries: the verify token and the body's signature
  // authenticate them instead.
  { method: 'GET', url: '/webhook' },
  { method: 'POST', url: '/webhook' },
  // The OpenAPI document and Swagger UI (its page, its generated init script, its static assets).
  { method: 'GET', url: '/docs', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/index.html', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/LICENSE', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/swagger-ui-init.js', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/docs/swagger-ui-init.js', outsideProductionOnly: true },
  { method: 'GET', url: '/docs/*', outsideProductionOnly: true },
  { method: 'GET', url: '/docs-json', outsideProductionOnly: true },
  { method: 'GET', url: '/docs-yaml', outsideProductionOnly: true },
];

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

const unauthorized = (): AppError =>
  new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'a valid bearer token is required');

/** The stable `code` of the router's own refusals (answered before any route is matched). */
const CODE_BY_FRAMEWORK_ERROR: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
};

const ROUTE_TABLES = new WeakMap<FastifyInstance, readonly RouteKey[]>();

/**
 * Every route the router of `fastify` holds (Fastify's automatic HEAD routes included), in
 * declaration order: what the authentication hook covers, for the specs that walk them all.
 */
export function registeredRoutes(fastify: FastifyInstance): readonly RouteKey[] {
  return ROUTE_TABLES.get(fastify) ?? [];
}

/**
 * Authentication decided on the route the router matched, for every route of the Fastify instance
 * (Nest controllers, the plain-Fastify webhook route, Swagger UI): one `onRequest` hook on the root
 * instance, so that no spelling of a path (percent-encoded, doubled or dotted) reaches a handler
 * the router would match without the token check, whatever registered it.
 *
 * Built before the Fastify instance (its `frameworkErrors` is a constructor option) and given the
 * configuration once Nest has it; until then every request is refused.
 */
export class RouteAuthentication {
  private expected: Buffer | null = null;
  private publicRoutes = new Set<string>();

  /** Hooks into `fastify` before any route is declared. */
  attach(fastify: FastifyInstance): void {
    const routes: RouteKey[] = [];
    ROUTE_TABLES.set(fastify, routes);
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) routes.push({ method, url: route.url });
    });
    fastify.addHook('onRequest', (request, _reply, done) => {
      // The matched pattern, undefined when no route matched: then 401 before 404, so a caller
      // without the token learns nothing about which paths exist.
      const { url } = request.routeOptions;
      if ((url !== undefined && this.isPublic(request.method, url)) || this.hasToken(request)) {
        done();
      } else done(unauthorized());
    });
  }

  configure(config: AppConfig): void {
    this.expected = digest(config.apiToken);
    this.publicRoutes = new Set(
      PUBLIC_ROUTES.filter((route) => !(route.outsideProductionOnly && config.isProduction)).map(
        (route) => `${route.method} ${route.url}`,
      ),
    );
  }

  isPublic(method: string, url: string): boolean {
    return this.publicRoutes.has(`${method === 'HEAD' ? 'GET' : method} ${url}`);
  }

  private hasToken(request: FastifyRequest): boolean {
    if (this.expected === null) return false;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // Hashing both sides gives equal lengths, so the comparison itself leaks nothing.
    return match !== null && timingSafeEqual(digest(match[1]), this.expected);
  }

  /**
   * Fastify's `frameworkErrors`: the router refusing a path before matching it (a path parameter
   * over `maxParamLength`, a malformed percent-encoding). No route is known, so the token is
   * required first, as for an unknown path; then the refusal gets the one error shape.
   */
  readonly frameworkErrors = (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void => {
    const status = this.hasToken(request) ? (error.statusCode ?? 400) : 401;
    const body =
      status === 401
        ? errorBody(401, 'UNAUTHORIZED', 'a valid bearer token is required')
        : errorBody(
            status,
            CODE_BY_FRAMEWORK_ERROR[error.code] ??
              (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'),
            status === 414 ? 'a path segment is too long' : error.message,
          );
    void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
  };
}
