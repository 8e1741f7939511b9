import { redactUrl } from './logging';

describe('redactUrl', () => {
  it("logs a privacy route's path without the customer it concerns", () => {
    expect(redactUrl('/api/customers/P1/7100000000000001')).toBe('/api/customers/P1/[Redacted]');
    expect(redactUrl('/api/customers/P1/7100000000000001/export?x=1')).toBe(
      '/api/customers/P1/[Redacted]/export?x=1',
    );
    expect(redactUrl('/api/conversations/P1/7100000000000001/messages')).toBe(
      '/api/conversations/P1/7100000000000001/messages',
    );
  });
});
