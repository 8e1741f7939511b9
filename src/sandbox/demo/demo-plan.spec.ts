import { planDemo } from './demo-plan';

const OPTIONS = {
  days: 90,
  customers: 400,
  seed: 7,
  pageId: '100000000000001',
  end: new Date('2026-12-03T12:00:00Z'),
  businessName: 'Sandbox Shop',
};

describe(planDemo.name, () => {
  it('plans the same history for the same seed, another for another seed', () => {
    const plan = planDemo(OPTIONS);
    expect(planDemo(OPTIONS)).toEqual(plan);
    expect(planDemo({ ...OPTIONS, seed: 8 }).counts).not.toEqual(plan.counts);
  });

  it('keeps every event inside the history, oldest first, and every survey answerable', () => {
    const { events, surveys } = planDemo(OPTIONS);
    const start = OPTIONS.end.getTime() - OPTIONS.days * 86_400_000;
    const times = events.map((event) => event.timestamp as number);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start);
    expect(Math.max(...times)).toBeLessThanOrEqual(OPTIONS.end.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const survey of surveys) {
      expect(survey.sentAt.getTime()).toBeLessThan(survey.expiresAt.getTime());
      expect(survey.request.recipient.id).toBe(survey.psid);
      expect(survey.messageId === null).toBe(survey.error !== null);
    }
  });

  it('answers each survey inside its window, once', () => {
    const { events, surveys } = planDemo(OPTIONS);
    const answers = events.filter((event) => 'messaging_feedback' in event);
    for (const answer of answers) {
      const psid = (answer.sender as { id: string }).id;
      const at = answer.timestamp as number;
      const open = surveys.filter(
        (s) =>
          s.psid === psid &&
          s.error === null &&
          s.sentAt.getTime() <= at &&
          at < s.expiresAt.getTime(),
      );
      expect(open).toHaveLength(1);
    }
  });

  it('counts what it plans, at plausible rates', () => {
    const { counts, events, surveys } = planDemo(OPTIONS);
    expect(counts.events).toBe(events.length);
    const sent = counts.surveys.csat + counts.surveys.nps + counts.surveys.ces;
    expect(surveys).toHaveLength(sent);
    expect(counts.failed).toBe(surveys.filter((s) => s.error !== null).length);
    const answered = counts.answered.csat + counts.answered.nps + counts.answered.ces;
    expect(answered + counts.expired + counts.open + counts.failed).toBe(sent);
    expect(counts.answered.csat / counts.surveys.csat).toBeGreaterThan(
      counts.answered.nps / counts.surveys.nps,
    );
    expect(counts.failed / sent).toBeLessThan(0.08);
    expect(counts.comments).toBeGreaterThan(answered / 4);
  });
});
