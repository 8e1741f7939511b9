import { Injectable } from '@nestjs/common';

/** Deliveries waiting for their commit from which the intake counts as pressed. */
const PRESSED_FROM = 16;

/**
 * How hard this process's webhook intake is pressed: deliveries received and not yet committed.
 * Meta disables a webhook that answers late, so the background work sharing the process (event
 * handlers, outbound webhook deliveries) gives way while it is pressed; what that work defers
 * waits in the database, loses nothing, and catches up as soon as the pressure falls.
 */
@Injectable()
export class IntakeLoad {
  private pending: () => number = () => 0;

  /** Called once by the intake's writer, with its count of deliveries not yet committed. */
  measuredBy(pending: () => number): void {
    this.pending = pending;
  }

  get pressed(): boolean {
    return this.pending() >= PRESSED_FROM;
  }
}
