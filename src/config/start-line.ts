import { isAbsolute, relative } from 'node:path';
import type { AppConfig } from './app-config';

/** Addresses a browser on this machine reaches as `localhost`. */
const LOCAL_HOSTS = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/** The address a person opens for a service listening on `host`:`port`. */
export function browserUrl(host: string, port: number): string {
  const name = LOCAL_HOSTS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}/`;
}

/** A path as a person at this working directory would type it. */
function shown(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') || isAbsolute(path) ? file : path;
}

/**
 * The one line a person starting the service needs: what to open, where the API is described, and
 * where the API token is kept (never the token itself).
 */
export function startLine(config: AppConfig): string {
  const url = browserUrl(config.host, config.port);
  const generated = config.generatedSecrets;
  return [
    `ready: open ${url}`,
    ...(config.isProduction ? [] : [`API docs at ${url}docs`]),
    generated?.names.includes('API_TOKEN')
      ? `API token in ${shown(generated.file)} (API_TOKEN)`
      : 'API token: the API_TOKEN variable',
  ].join(' · ');
}
