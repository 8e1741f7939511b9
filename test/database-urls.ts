export const TEMPLATE_ENV = 'MF_TEST_TEMPLATE_DATABASE';

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The server's `postgres` database, from which databases are created and dropped. */
export function adminUrl(base: string): string {
  return databaseUrl(base, 'postgres');
}
