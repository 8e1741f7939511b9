import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './service-process';

/**
 * The environment `docker-compose config` gives `service` (`intake` or `worker`), given only `vars` (no `.env`,
 * nothing from the test's own environment). Debian's docker-compose (v1) prints YAML only, so the
 * `environment` mapping is read by the small parser below.
 */
export function composeServiceEnvironment(
  service: 'intake' | 'worker',
  vars: Record<string, string>,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-compose-'));
  try {
    // An empty env file, so a developer's .env beside docker-compose.yml changes nothing here.
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const yaml = execFileSync(
      'docker-compose',
      ['--env-file', envFile, '-f', join(ROOT, 'docker-compose.yml'), 'config'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...vars }, encoding: 'utf8' },
    );
    return parseServiceEnvironment(yaml, service);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `services.<service>.environment` of `docker-compose config`'s YAML: a block mapping of scalars,
 * plain, 'single-quoted' or "double-quoted", possibly folded over indented continuation lines.
 */
export function parseServiceEnvironment(yaml: string, service: string): Record<string, string> {
  const lines = yaml.split('\n');
  const path = ['services:', `  ${service}:`, '    environment:'];
  let index = 0;
  for (const [depth, header] of path.entries()) {
    const indent = depth * 2;
    while (index < lines.length && lines[index] !== header) {
      const line = lines[index];
      if (line.trim() !== '' && line.length - line.trimStart().length < indent) {
        throw new Error(`no ${path.slice(0, depth + 1).join(' ')} in:\n${yaml}`);
      }
      index++;
    }
    if (index === lines.length) throw new Error(`no ${header.trim()} in:\n${yaml}`);
    index++;
  }
  const entries: [string, string][] = [];
  for (; index < lines.length; index++) {
    const line = lines[index];
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '' || indent < 6) break;
    if (indent > 6) {
      // A folded continuation of the previous scalar.
      const last = entries[entries.length - 1];
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const match = /^ {6}([A-Za-z_][A-Za-z0-9_]*): ?(.*)$/.exec(line);
    if (!match) throw new Error(`unexpected line in environment: ${line}`);
    entries.push([match[1], match[2]]);
  }
  return Object.fromEntries(entries.map(([key, raw]) => [key, scalar(raw)]));
}

function scalar(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  if (raw.startsWith('"')) return JSON.parse(raw) as string;
  return raw;
}
