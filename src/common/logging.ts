import { LoggerService, RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';

/**
 * Query parameters whose values are secrets, matched on the DECODED, lower-cased name: the
 * handshake's `hub.verify_token`, Graph's `access_token` and `appsecret_proof`, and anything named
 * like a token, secret, password or key. Matching the name as sent would let `hub%2Everify_token`
 * or `access%5Ftoken` through, which Fastify decodes to the real names.
 */
const SECRET_NAME = /token|secret|passw|proof|signature|api_?key|^code$|^key$/;

/**
 * The configured secrets (app secret, verify token, API token, Page tokens): a query value that
 * holds one is never logged, whatever its parameter is called. Set once the configuration is
 * known (by loggerParams); the exception filter reads it through redactUrl.
 */
let configuredSecrets: readonly string[] = [];

/** Shorter values would redact ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;

export function setLoggedSecrets(secrets: readonly (string | undefined)[]): void {
  configuredSecrets = secrets.filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH,
  );
}

/** Percent-decoding as a query parser does it (`+` is a space), repeated for doubled encodings. */
function decode(text: string): string {
  let decoded = text;
  for (let round = 0; round < 3 && /[%+]/.test(decoded); round++) {
    try {
      const next = decodeURIComponent(decoded.replace(/\+/g, ' '));
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  return decoded;
}

function holdsSecret(text: string): boolean {
  if (configuredSecrets.length === 0) return false;
  const decoded = decode(text);
  return configuredSecrets.some((secret) => text.includes(secret) || decoded.includes(secret));
}

/**
 * A URL fit for a log line: the value of every secret-named query parameter (by decoded name) and
 * of any parameter holding a configured secret is replaced by `[Redacted]`, and a configured secret
 * anywhere else in the URL (a token in the path) too. Every log line that names a URL goes through
 * here: the request serializer below and the exception filter.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const start = url.indexOf('?');
  const path = start === -1 ? url : url.slice(0, start);
  let redacted = holdsSecret(path) ? '[Redacted]' : withoutCustomer(path);
  if (start !== -1) {
    const query = url
      .slice(start + 1)
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=');
        const name = eq === -1 ? part : part.slice(0, eq);
        const value = eq === -1 ? '' : part.slice(eq + 1);
        if (holdsSecret(name)) return '[Redacted]';
        if (SECRET_NAME.test(decode(name).toLowerCase()) || holdsSecret(value)) {
          return `${name}=[Redacted]`;
        }
        return part;
      });
    redacted += `?${query.join('&')}`;
  }
  return redacted;
}

/** A privacy route's path names the Page but not the customer it concerns. */
const withoutCustomer = (path: string): string =>
  path.replace(/^(\/api\/customers\/[^/]*\/)[^/]+/, '$1[Redacted]');

/** Structured logs; secrets, tokens and signatures never reach a log line. */
export function loggerParams(config: AppConfig): Params {
  setLoggedSecrets([
    config.appSecret,
    config.verifyToken,
    config.apiToken,
    config.defaultPageToken,
    ...Object.values(config.pageTokens),
  ]);
  return {
    // No request logger for Meta's deliveries: thousands a second at peak, each would build one
    // for a debug line. Their failures are still logged, by the exception filter.
    exclude: [{ method: RequestMethod.POST, path: 'webhook' }],
    pinoHttp: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-hub-signature-256"]',
          'req.headers["x-hub-signature"]',
          'req.headers.cookie',
          '*.access_token',
          '*.accessToken',
          '*.token',
          '*.apiToken',
          '*.appSecret',
        ],
        censor: '[Redacted]',
      },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
      // Failures are logged once, by the exception filter; request lines are for debugging.
      customLogLevel: () => 'debug',
      // A person at a terminal reads lines; a log collector reads JSON (one object per line).
      transport:
        !config.isProduction && process.stdout.isTTY
          ? {
              target: 'pino-pretty',
              options: {
                translateTime: 'SYS:HH:MM:ss.l',
                ignore: 'pid,hostname,context',
                messageFormat: '{if context}[{context}] {end}{msg}',
              },
            }
          : undefined,
    },
  };
}

/**
 * Nest's own start-up lines: one per module, one per route and one per controller (some fifty),
 * which bury the lines a person starting the service needs. Kept, at `debug`.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** The application's logger (nestjs-pino's) with Nest's start-up chatter moved to `debug`. */
export class ApplicationLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...params);
    } else {
      this.inner.log(message, ...params);
    }
  }
  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal?.(message, ...params);
  }
}
