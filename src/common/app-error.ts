import { HttpStatus } from '@nestjs/common';

/**
 * An expected failure with a stable machine-readable `code`; the exception filter turns it into
 * The one error shape (docs/api.md). `details` are extra fields for the body (for example Meta's error ids).
 */
export class AppError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string | string[],
    readonly details: Record<string, unknown> = {},
    /** Response headers that go with the error (`Retry-After`, `Connection: close`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.messages = message;
  }

  readonly messages: string | string[];

  static notFound(what: string): AppError {
    return new AppError(HttpStatus.NOT_FOUND, 'NOT_FOUND', `${what} not found`);
  }

  static validation(messages: string[]): AppError {
    return new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', messages);
  }
}
