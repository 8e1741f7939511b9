import type { FeedbackAnswer } from '../../events/messenger-events';
import { answersToStore } from './feedback-answers';

function answer(overrides: Partial<FeedbackAnswer> = {}): FeedbackAnswer {
  return {
    screenId: 0,
    questionId: 'hauydmns8',
    type: 'csat',
    payload: '5',
    followUpText: null,
    ...overrides,
  };
}

describe(answersToStore.name, () => {
  it('stores the seed example with its follow-up', () => {
    expect(answersToStore([answer({ followUpText: 'I am very satisfied!' })])).toEqual([
      {
        questionId: 'hauydmns8',
        type: 'csat',
        payload: '5',
        score: 5,
        valid: true,
        followUpText: 'I am very satisfied!',
      },
    ]);
  });

  it.each([
    ['nps', '0', 0],
    ['nps', '10', 10],
    ['ces', '7', 7],
    ['csat ', '1', 1],
    ['CSAT', '3', 3],
  ])('accepts a %j score of %j', (type, payload, score) => {
    expect(answersToStore([answer({ type, payload })])[0]).toMatchObject({
      type: type.trim().toLowerCase(),
      score,
      valid: true,
    });
  });

  it.each([
    ['csat', '6', 6],
    ['csat', '0', 0],
    ['nps', '11', 11],
    ['ces', '8', 8],
    ['ces', 'great', null],
  ])('keeps a %s score of %j as invalid', (type, payload, score) => {
    expect(answersToStore([answer({ type, payload })])[0]).toMatchObject({
      type,
      payload,
      score,
      valid: false,
    });
  });

  it('keeps an answer of another type (free_form) or none as invalid', () => {
    expect(answersToStore([answer({ type: 'free_form', payload: 'Nice shop' })])[0]).toEqual({
      questionId: 'hauydmns8',
      type: 'free_form',
      payload: 'Nice shop',
      score: null,
      valid: false,
      followUpText: null,
    });
    expect(answersToStore([answer({ type: null })])[0]).toMatchObject({
      type: 'unknown',
      valid: false,
    });
  });

  it('cuts the follow-up at 400 characters and drops an empty one', () => {
    const [long] = answersToStore([answer({ followUpText: '😀'.repeat(401) })]);
    expect(long.followUpText).toBe('😀'.repeat(400));
    expect(answersToStore([answer({ followUpText: '   ' })])[0].followUpText).toBeNull();
    expect(answersToStore([answer({ followUpText: 'x'.repeat(400) })])[0].followUpText).toBe(
      'x'.repeat(400),
    );
  });

  it('keeps the first answer of a question id given twice', () => {
    const rows = answersToStore([
      answer({ payload: '2' }),
      answer({ screenId: 1, payload: '5' }),
      answer({ questionId: 'other', type: 'nps', payload: '9' }),
    ]);
    expect(rows.map((row) => [row.questionId, row.score])).toEqual([
      ['hauydmns8', 2],
      ['other', 9],
    ]);
  });
});
