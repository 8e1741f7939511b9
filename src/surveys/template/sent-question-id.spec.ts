import { QUESTION_ID_PATTERN } from './survey-template';
import { newSurveyId, sentQuestionId, surveyIdOfQuestionId } from './sent-question-id';

describe(sentQuestionId.name, () => {
  it('adds the survey id to the client question id, and reads it back', () => {
    const id = newSurveyId();
    const sent = sentQuestionId('csat', id);
    expect(sent).toBe(`csat__${id.replaceAll('-', '')}`);
    expect(surveyIdOfQuestionId(sent)).toBe(id);
  });

  it('stays within 80 characters of [A-Za-z0-9_] with the longest client question id', () => {
    const id = newSurveyId();
    const sent = sentQuestionId('q'.repeat(80), id);
    expect(sent).toHaveLength(80);
    expect(QUESTION_ID_PATTERN.test(sent)).toBe(true);
    expect(surveyIdOfQuestionId(sent)).toBe(id);
  });

  it('reads no survey from a question id without the suffix', () => {
    expect(surveyIdOfQuestionId('csat')).toBeNull();
    expect(surveyIdOfQuestionId('hauydmns8')).toBeNull();
    expect(surveyIdOfQuestionId('csat__0123')).toBeNull();
  });

  it('gives two surveys of one question two different ids', () => {
    expect(sentQuestionId('nps', newSurveyId())).not.toBe(sentQuestionId('nps', newSurveyId()));
  });
});
