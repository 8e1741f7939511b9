import {
  backoffDelay,
  describeGraphError,
  isRetryable,
  networkError,
  readGraphError,
  redactSecret,
} from './graph-api-error';

const metaError = (code: number, extra: Record<string, unknown> = {}) => ({
  error: {
    message: 'An error',
    type: 'OAuthException',
    code,
    fbtrace_id: 'AbCdEf123',
    ...extra,
  },
});

describe(readGraphError.name, () => {
  it("reads Meta's error object", () => {
    expect(
      readGraphError(400, metaError(10, { error_subcode: 2018278, message: 'Outside window' })),
    ).toEqual({
      httpStatus: 400,
      code: 10,
      errorSubcode: 2018278,
      type: 'OAuthException',
      message: 'Outside window',
      fbtraceId: 'AbCdEf123',
      isTransient: false,
    });
  });

  it('describes a body without an error object by its status', () => {
    expect(readGraphError(502, null)).toMatchObject({
      httpStatus: 502,
      code: null,
      errorSubcode: null,
      message: 'HTTP 502 without a Graph API error',
    });
  });

  it('ignores fields of the wrong type', () => {
    expect(
      readGraphError(400, { error: { code: '100', error_subcode: 1.5, message: 7 } }),
    ).toMatchObject({
      code: null,
      errorSubcode: null,
      message: 'HTTP 400 without a Graph API error',
    });
  });
});

describe(isRetryable.name, () => {
  it.each([1, 2, 4, 17, 32, 613])('retries transient code %d', (code) => {
    expect(isRetryable(readGraphError(400, metaError(code)))).toBe(true);
  });

  it.each([10, 100, 190, 200, 230, 368, 551])('never retries permanent code %d', (code) => {
    expect(isRetryable(readGraphError(400, metaError(code)))).toBe(false);
    expect(isRetryable(readGraphError(500, metaError(code)))).toBe(false);
  });

  it.each([500, 502, 503, 504, 429])('retries HTTP %d without a known code', (status) => {
    expect(isRetryable(readGraphError(status, null))).toBe(true);
  });

  it('retries what Meta marks is_transient', () => {
    expect(isRetryable(readGraphError(400, metaError(9999, { is_transient: true })))).toBe(true);
  });

  it('does not retry another 4xx', () => {
    expect(isRetryable(readGraphError(400, metaError(9999)))).toBe(false);
    expect(isRetryable(readGraphError(404, null))).toBe(false);
  });

  it('retries network errors and timeouts', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(networkError(refused, 1000)).toMatchObject({
      httpStatus: null,
      message: 'network error: ECONNREFUSED',
    });
    expect(isRetryable(networkError(refused, 1000))).toBe(true);
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(networkError(timeout, 1000).message).toBe('network error: no answer within 1000 ms');
  });
});

describe(backoffDelay.name, () => {
  it('doubles each step, with jitter in its upper half, up to the cap', () => {
    expect(backoffDelay(1, 500, 2000, () => 0)).toBe(250);
    expect(backoffDelay(1, 500, 2000, () => 1)).toBe(500);
    expect(backoffDelay(2, 500, 2000, () => 0)).toBe(500);
    expect(backoffDelay(3, 500, 2000, () => 1)).toBe(2000);
    expect(backoffDelay(10, 500, 2000, () => 1)).toBe(2000);
  });
});

describe(describeGraphError.name, () => {
  it('names the code and subcode', () => {
    expect(describeGraphError({ code: 10, errorSubcode: 2018278, message: 'Outside' })).toBe(
      'Graph API error 10/2018278: Outside',
    );
    expect(describeGraphError({ code: 100, errorSubcode: null, message: 'Bad' })).toBe(
      'Graph API error 100: Bad',
    );
    expect(describeGraphError({ code: null, errorSubcode: null, message: 'network error' })).toBe(
      'Graph API error: network error',
    );
  });
});

describe(redactSecret.name, () => {
  it('removes every copy of the secret', () => {
    expect(redactSecret('token EAAB1 is invalid: EAAB1', 'EAAB1')).toBe(
      'token [Redacted] is invalid: [Redacted]',
    );
    expect(redactSecret('nothing', '')).toBe('nothing');
  });
});
