import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Environment, INSTALL_SECRETS, InstallSecret } from './environment';

export const SECRETS_FILE = 'secrets.json';

/**
 * Outside production the service may start without secrets, but never with well-known ones: the
 * missing ones are generated once for this install, kept (mode 0600) in DATA_DIR and reused on the
 * next start. Returns the file and the names it supplied, or null when none was missing.
 */
export function fillInstallSecrets(
  env: Environment,
): { file: string; names: InstallSecret[] } | null {
  const missing = INSTALL_SECRETS.filter((name) => env[name] === undefined);
  if (missing.length === 0) return null;
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, SECRETS_FILE);
  const stored: Partial<Record<InstallSecret, string>> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<InstallSecret, string>>)
    : {};
  let changed = false;
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = randomBytes(24).toString('hex');
      changed = true;
    }
    env[name] = stored[name];
  }
  if (changed) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { file, names: missing };
}
