import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { dirname, join } from 'node:path';

/**
 * The dashboard's files: its own (HTML, ES modules, styles) next to this file (`npm run build`
 * copies them into dist/), and uPlot's from node_modules. Nothing is fetched from the internet.
 */
export const DASHBOARD_FILES = join(__dirname, 'public');
const UPLOT_FILES = dirname(require.resolve('uplot'));

/**
 * Serves the shell at `GET /` and every file under `/assets/` (public routes: they hold no data;
 * the data comes from /api/* with the session cookie). Registered on the Fastify instance before
 * Nest's routes.
 */
export async function serveDashboard(fastify: FastifyInstance): Promise<void> {
  // Parses `Cookie` (request.cookies) and writes `Set-Cookie` (reply.setCookie) for the session.
  await fastify.register(fastifyCookie);
  await fastify.register(fastifyStatic, {
    root: [DASHBOARD_FILES, UPLOT_FILES],
    prefix: '/assets/',
    index: false,
    list: false,
    // The files change with each release, not while it runs; a short cache keeps reloads cheap.
    maxAge: '5m',
  });
  fastify.get('/', (_request, reply) =>
    reply
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; " +
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      )
      .sendFile('index.html', DASHBOARD_FILES),
  );
}
