import { cesScore, csatScore, npsScore, trendPoint } from './score-calculator';

describe(csatScore.name, () => {
  it('computes score, average and the full distribution', () => {
    // 15 answers, 12 of them 4 or 5 → 80 %; mean 61 / 15 = 4.0666… → 4.07.
    expect(csatScore({ 1: 3, 4: 2, 5: 10 })).toEqual({
      responses: 15,
      score: 80,
      average: 4.07,
      distribution: { '1': 3, '2': 0, '3': 0, '4': 2, '5': 10 },
    });
  });

  it('counts 4 as satisfied and 3 as not', () => {
    expect(csatScore({ 3: 1 }).score).toBe(0);
    expect(csatScore({ 4: 1 }).score).toBe(100);
    expect(csatScore({ 3: 1, 4: 1 })).toMatchObject({ score: 50, average: 3.5 });
  });

  it('rounds thirds to 2 decimals', () => {
    expect(csatScore({ 5: 2, 1: 1 })).toMatchObject({ score: 66.67, average: 3.67 });
    expect(csatScore({ 5: 1, 2: 2 })).toMatchObject({ score: 33.33, average: 3 });
  });

  it('rounds an exact half away from zero despite float error', () => {
    // 199 ones and one 2: mean 201 / 200 = 1.005 → 1.01 (naive Math.round gives 1).
    expect(csatScore({ 1: 199, 2: 1 })).toMatchObject({ responses: 200, score: 0, average: 1.01 });
    // mean 33 / 8 = 4.125 → 4.13
    expect(csatScore({ 5: 4, 4: 2, 3: 1, 2: 1 })).toMatchObject({ score: 75, average: 4.13 });
  });

  it('gives null score and average without answers', () => {
    expect(csatScore({})).toEqual({
      responses: 0,
      score: null,
      average: null,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
  });

  it('ignores scores outside the range and accepts string keys', () => {
    expect(csatScore({ 0: 5, 6: 2, '5': 1 })).toMatchObject({
      responses: 1,
      score: 100,
      average: 5,
    });
  });

  it('refuses a negative or fractional count', () => {
    expect(() => csatScore({ 5: -1 })).toThrow(RangeError);
    expect(() => csatScore({ 5: 1.5 })).toThrow(RangeError);
  });
});

describe(npsScore.name, () => {
  it.each([
    [0, -100, { promoters: 0, passives: 0, detractors: 1 }],
    [6, -100, { promoters: 0, passives: 0, detractors: 1 }],
    [7, 0, { promoters: 0, passives: 1, detractors: 0 }],
    [8, 0, { promoters: 0, passives: 1, detractors: 0 }],
    [9, 100, { promoters: 1, passives: 0, detractors: 0 }],
    [10, 100, { promoters: 1, passives: 0, detractors: 0 }],
  ])('classes a single %i with score %i', (value, score, groups) => {
    expect(npsScore({ [value]: 1 })).toMatchObject({ responses: 1, score, ...groups });
  });

  it('computes percent promoters minus percent detractors with counts per group', () => {
    // 13 answers: 8 promoters, 2 passives, 3 detractors → (8 - 3) / 13 = 38.4615… %
    expect(npsScore({ 10: 5, 9: 3, 8: 2, 3: 2, 0: 1 })).toEqual({
      responses: 13,
      score: 38.46,
      promoters: 8,
      passives: 2,
      detractors: 3,
      distribution: {
        '0': 1,
        '1': 0,
        '2': 0,
        '3': 2,
        '4': 0,
        '5': 0,
        '6': 0,
        '7': 0,
        '8': 2,
        '9': 3,
        '10': 5,
      },
    });
  });

  it('balances equal promoters and detractors to 0', () => {
    expect(npsScore({ 0: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1 })).toMatchObject({
      score: 0,
      promoters: 2,
      passives: 2,
      detractors: 2,
    });
  });

  it('rounds a negative half away from zero', () => {
    // 1 detractor of 32 → -3.125 % → -3.13
    expect(npsScore({ 7: 31, 0: 1 }).score).toBe(-3.13);
  });

  it('rounds the difference once, not each percentage', () => {
    // 1 promoter and 2 detractors of 3: -33.333… → -33.33 (33.33 - 66.67 would give -33.34).
    expect(npsScore({ 10: 1, 0: 2 }).score).toBe(-33.33);
  });

  it('gives a null score without answers', () => {
    expect(npsScore({})).toMatchObject({
      responses: 0,
      score: null,
      promoters: 0,
      passives: 0,
      detractors: 0,
    });
    expect(Object.keys(npsScore({}).distribution)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
  });
});

describe(cesScore.name, () => {
  it('computes score, average and the full distribution', () => {
    // 7 answers, 4 from 5 to 7 → 57.142…%; mean 32 / 7 = 4.571… → 4.57.
    expect(cesScore({ 1: 2, 4: 1, 5: 1, 7: 3 })).toEqual({
      responses: 7,
      score: 57.14,
      average: 4.57,
      distribution: { '1': 2, '2': 0, '3': 0, '4': 1, '5': 1, '6': 0, '7': 3 },
    });
  });

  it('counts 5 as easy and 4 as not', () => {
    expect(cesScore({ 4: 1 }).score).toBe(0);
    expect(cesScore({ 5: 1 }).score).toBe(100);
  });

  it('gives null score and average without answers', () => {
    expect(cesScore({})).toMatchObject({ responses: 0, score: null, average: null });
  });
});

describe(trendPoint.name, () => {
  it('takes score and average of csat and ces', () => {
    expect(trendPoint('csat', { 1: 3, 4: 2, 5: 10 })).toEqual({
      responses: 15,
      score: 80,
      average: 4.07,
    });
    expect(trendPoint('ces', { 4: 1, 5: 1 })).toEqual({ responses: 2, score: 50, average: 4.5 });
  });

  it('gives nps the mean of its 0-10 answers', () => {
    expect(trendPoint('nps', { 10: 1, 0: 1 })).toEqual({ responses: 2, score: 0, average: 5 });
    expect(trendPoint('nps', { 10: 5, 9: 3, 8: 2, 3: 2, 0: 1 })).toEqual({
      responses: 13,
      score: 38.46,
      average: 7.62,
    });
  });

  it('gives nulls without answers', () => {
    expect(trendPoint('nps', {})).toEqual({ responses: 0, score: null, average: null });
  });
});
