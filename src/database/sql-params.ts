/**
 * Collects the parameters of a query built from optional filters: `add` returns the placeholder.
 * Only placeholders ever reach the SQL text, never values.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `a AND b AND …`, or TRUE when there is no condition. */
export function allOf(conditions: readonly string[]): string {
  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}
