import { BANDS, commentSlices, rankOf } from './comment-order';

describe('comment order', () => {
  describe('rankOf', () => {
    it('does put the bottom of every scale at 0 and the top at 60, in equal steps', () => {
      expect([rankOf('csat', 1), rankOf('nps', 0), rankOf('ces', 1)]).toEqual([0, 0, 0]);
      expect([rankOf('csat', 5), rankOf('nps', 10), rankOf('ces', 7)]).toEqual([60, 60, 60]);
      expect([1, 2, 3, 4, 5].map((s) => rankOf('csat', s))).toEqual([0, 15, 30, 45, 60]);
      expect(rankOf('nps', 6)).toBeLessThan(rankOf('csat', 4));
      for (let score = 0; score <= 10; score++)
        expect(Number.isInteger(rankOf('nps', score))).toBe(true);
      for (let score = 1; score <= 7; score++)
        expect(Number.isInteger(rankOf('ces', score))).toBe(true);
    });
  });

  describe('commentSlices', () => {
    it('does read a type per slice, newest first, without a score filter', () => {
      expect(commentSlices({}, 'newest')).toEqual([
        { type: 'csat', score: null, rank: 0 },
        { type: 'nps', score: null, rank: 0 },
        { type: 'ces', score: null, rank: 0 },
      ]);
    });

    it('does read every score of every scale, lowest first: 23 slices', () => {
      const slices = commentSlices({}, 'lowest');
      expect(slices).toHaveLength(5 + 11 + 7);
      expect(slices.filter((s) => s.type === 'nps').map((s) => s.score)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
    });

    it('does cut each scale to the band and the bounds, and to nothing when they do not meet', () => {
      const low = commentSlices({ band: 'low' }, 'newest').map((s) => `${s.type}${s.score}`);
      expect(low).toEqual([
        'csat1',
        'csat2',
        'nps0',
        'nps1',
        'nps2',
        'nps3',
        'nps4',
        'nps5',
        'nps6',
        'ces1',
        'ces2',
        'ces3',
      ]);
      expect(
        commentSlices({ type: 'nps', minScore: 3, maxScore: 8, band: 'neutral' }, 'lowest'),
      ).toEqual([
        { type: 'nps', score: 7, rank: 42 },
        { type: 'nps', score: 8, rank: 48 },
      ]);
      expect(commentSlices({ type: 'csat', maxScore: 0 }, 'newest')).toEqual([]);
      expect(commentSlices({ minScore: 6, band: 'high' }, 'newest').map((s) => s.type)).toEqual([
        'nps',
        'nps',
        'ces',
        'ces',
      ]);
    });

    it('does cover each scale once with its three bands', () => {
      for (const type of ['csat', 'nps', 'ces'] as const) {
        const [low, neutral, high] = [BANDS[type].low, BANDS[type].neutral, BANDS[type].high];
        expect(neutral[0]).toBe(low[1] + 1);
        expect(high[0]).toBe(neutral[1] + 1);
      }
    });
  });
});
