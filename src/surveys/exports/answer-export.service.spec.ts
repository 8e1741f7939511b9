import { exportFileName } from './answer-export.service';

describe(exportFileName.name, () => {
  it('writes a bound at UTC midnight as its date, else with its time, without colons', () => {
    expect(
      exportFileName(
        { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T09:30:05.250Z') },
        'csv',
      ),
    ).toBe('answers-20261101-20261103T093005Z.csv');
  });

  it('names open bounds start and now', () => {
    expect(exportFileName({ from: null, to: null }, 'ndjson')).toBe('answers-start-now.ndjson');
    expect(exportFileName({ from: new Date('2026-01-02T00:00:00+01:00'), to: null }, 'csv')).toBe(
      'answers-20260101T230000Z-now.csv',
    );
  });
});
