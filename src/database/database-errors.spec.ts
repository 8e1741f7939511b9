import { Client } from 'pg';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './database-errors';

/** The error pg gives for a closed port, as it gives it: from a real connection attempt. */
async function refusedConnectionError(): Promise<unknown> {
  const client = new Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
  throw new Error('connecting to port 1 succeeded');
}

describe('isDatabaseUnavailable', () => {
  it('does recognise a refused connection, directly and wrapped by Prisma', async () => {
    const refused = await refusedConnectionError();
    expect(isDatabaseUnavailable(refused)).toBe(true);
    // PrismaClientKnownRequestError P2010 over the driver adapter's error, as Prisma 7 throws it.
    const prisma = Object.assign(new Error('Raw query failed.'), {
      code: 'P2010',
      meta: {
        driverAdapterError: Object.assign(new Error('DatabaseNotReachable'), {
          cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 },
        }),
      },
    });
    expect(isDatabaseUnavailable(prisma)).toBe(true);
  });

  it.each([
    ['a statement past query_timeout', new Error('Query read timeout')],
    ['no pool slot in time', new Error('timeout exceeded when trying to connect')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    [
      'a server shutting down',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    ['a connection exception', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['Prisma: server unreachable', Object.assign(new Error("Can't reach"), { code: 'P1001' })],
    ['one already classified', new DatabaseUnavailableError('frozen')],
  ])('does recognise %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a missing table', Object.assign(new Error('relation does not exist'), { code: '42P01' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'Query read timeout'],
    ['nothing', undefined],
  ])('does not take %s for an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does stop on an error that is its own cause', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
