import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';

/**
 * Bounds on how long a client may take to send a request, so that slow or stalled connections
 * (each holding a socket, and on /webhook part of the unverified-body budget) are cut. Set on the
 * server before it listens: Node reads them when its connection check starts and at each check.
 */
export function applyHttpTimeouts(server: Server, config: AppConfig): void {
  // The whole request, body included: Node answers 408 and closes the connection past it.
  server.requestTimeout = config.httpRequestTimeoutMs;
  server.headersTimeout = config.httpHeadersTimeoutMs;
  // A connection that goes silent mid-request (Fastify's connectionTimeout) is closed as well;
  // between requests Node's keep-alive timeout applies instead.
  server.timeout = config.httpRequestTimeoutMs;
  // Node checks the two timeouts above every 30 s by default, which would let a 1 s timeout run
  // to 31 s; a quarter of the headers timeout keeps the overrun small and the checks rare.
  // (A createServer option Node keeps as a property; its types do not list it.)
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(30_000, Math.max(100, Math.floor(config.httpHeadersTimeoutMs / 4)));
}
