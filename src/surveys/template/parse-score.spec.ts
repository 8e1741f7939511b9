import { parseScore } from './parse-score';

describe(parseScore.name, () => {
  it.each([
    ['csat', '1', 1],
    ['csat', '5', 5],
    ['nps', '0', 0],
    ['nps', '10', 10],
    ['ces', '1', 1],
    ['ces', '7', 7],
  ] as const)('accepts %s score %j', (type, payload, score) => {
    expect(parseScore(type, payload)).toEqual({ valid: true, score });
  });

  it.each([
    ['csat', '0', 0],
    ['csat', '6', 6],
    ['nps', '11', 11],
    ['nps', '-1', -1],
    ['ces', '0', 0],
    ['ces', '8', 8],
    ['csat', '05', 5],
    ['nps', '-0', 0],
  ] as const)('rejects %s score %j and keeps the number', (type, payload, score) => {
    expect(parseScore(type, payload)).toEqual({ valid: false, score });
  });

  it.each(['5.0', ' 5', '5 ', '', 'abc', '+5', '5e0', '0x5', '1,5', '99999999999'])(
    'rejects %j without a number',
    (payload) => {
      expect(parseScore('csat', payload)).toEqual({ valid: false, score: null });
    },
  );

  it('rejects a payload that is not a string at runtime', () => {
    expect(parseScore('csat', 5 as unknown as string)).toEqual({ valid: false, score: null });
  });
});
