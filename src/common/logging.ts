import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';

/** Query parameters whose values are secrets: the handshake's token and any Graph access token. */
const SECRET_QUERY = /([?&](?:hub\.verify_token|access_token|token)=)[^&]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[Redacted]');
}

/** Structured logs; secrets, tokens and signatures never reach a log line. */
export function loggerParams(config: AppConfig): Params {
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
    },
  };
}
