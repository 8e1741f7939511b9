import { databaseStructure, schemaStructure } from './schema-drift';
import { startTestApp, TestApp } from './test-app';

/**
 * Migrations are written by hand (no schema engine here), so this proves that schema.prisma and the
 * migrated database agree: every table, column, type, nullability, default, enum, index, unique
 * constraint and foreign key.
 */
describe('schema.prisma and the migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('describe the same database', async () => {
    const expected = schemaStructure();
    const actual = await databaseStructure(t.prisma.pool);
    expect(actual).toEqual(expected);
  });

  it('describe a non-trivial schema (the comparison is not vacuous)', () => {
    const lines = schemaStructure();
    expect(lines).toContain('column webhook_events.dedupe_key character(64) not null default none');
    expect(lines).toContain('index webhook_events_dedupe_key_key unique (dedupe_key)');
    expect(lines.filter((line) => line.startsWith('column ')).length).toBeGreaterThan(80);
  });
});
