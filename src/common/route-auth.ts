import { HttpStatus } from '@nestjs/common';
import type {} from '@fastify/cookie';
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
  // The dashboard's shell (HTML, scripts, styles, chart code: no data in any of them) and its
  // login, which takes the API token in its body.
  { method: 'GET', url: '/' },
  { method: 'GET', url: '/assets/*' },
  { method: 'POST', url: '/api/session' },
];

/** The dashboard's session cookie: a random id, the server keeps its hash (src/dashboard/). */
export const SESSION_COOKIE = 'mf_session';

/** Where the sessions behind the cookie are kept: the dashboard module, given at start. */
export interface SessionVerifier {
  /** Whether `id` (the cookie's value) names a session that has not ended nor expired. */
  isActive(id: string): Promise<boolean>;
}

/** Methods that change state: with the cookie they must also pass the same-origin check. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The CSRF check of a cookie-authenticated request that changes state: the browser says it comes
 * from the dashboard's own origin, by `Sec-Fetch-Site: same-origin` or, from a browser that does
 * not send that header, by an `Origin` naming this host. A request with neither is refused: every
 * browser sends `Origin` on a cross-origin POST, PUT, PATCH or DELETE, so only a non-browser
 * client could omit both, and it has the bearer token to use instead.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether two secrets are equal, in constant time: hashing both sides gives equal lengths, so the
 * comparison itself leaks nothing (the bearer check and the dashboard's login both use it).
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const unauthorized = (): AppError =>
  new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', 'a valid bearer token is required');

export const crossSite = (): AppError =>
  new AppError(
    HttpStatus.FORBIDDEN,
    'CSRF_REJECTED',
    'a change made with the session cookie must come from the dashboard itself (same origin)',
  );

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
  private sessions: SessionVerifier | null = null;
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
        return;
      }
      const session = this.sessionId(request);
      if (session === null || this.sessions === null) {
        done(unauthorized());
        return;
      }
      // The bearer's equal: the cookie of a live session. A change made with it must also come
      // from the dashboard's own origin (CSRF), checked once the session is known to be valid.
      this.sessions.isActive(session).then(
        (active) => {
          if (!active) done(unauthorized());
          else if (UNSAFE_METHODS.has(request.method) && !isSameOrigin(request)) done(crossSite());
          else done();
        },
        (error: Error) => done(error),
      );
    });
  }

  configure(config: AppConfig, sessions: SessionVerifier | null = null): void {
    this.sessions = sessions;
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
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match !== null && this.isApiToken(match[1]);
  }

  /** Whether `token` is the API token, compared in constant time (the dashboard's login uses it). */
  isApiToken(token: string): boolean {
    return this.expected !== null && timingSafeEqual(digest(token), this.expected);
  }

  /** The session cookie's value, if the request carries one (the last one if several). */
  private sessionId(request: FastifyRequest): string | null {
    const header = request.headers.cookie;
    if (header === undefined || !header.includes(SESSION_COOKIE)) return null;
    const value = request.server.parseCookie(header)[SESSION_COOKIE];
    return typeof value === 'string' && value !== '' ? value : null;
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
