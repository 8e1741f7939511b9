/**
 * Accounting of the webhook's body bytes held in memory before their signature is checked: the
 * only memory anyone on the internet can make the service spend. Each body takes its bytes from
 * one budget as they arrive and gives them back once it is verified (or refused, or cut off); a
 * body that would take the total past the budget is refused at once (503), so that however many
 * connections hold however large a declared body, memory stays bounded.
 *
 * Meta's deliveries are small nearly always. Large bodies (declared, or grown, past SMALL_BODY)
 * may fill only three quarters of the budget; the last quarter is kept for small ones, so that
 * connections holding large unsigned bodies cannot keep Meta's ordinary deliveries out.
 */
export const SMALL_BODY = 256 * 1024;

export class UnverifiedBodies {
  private total = 0;
  private large = 0;
  private readonly largeLimit: number;

  constructor(readonly limit: number) {
    this.largeLimit = Math.floor((limit * 3) / 4);
  }

  /** Bytes held right now by bodies not yet verified. */
  get inFlight(): number {
    return this.total;
  }

  /** A new body; `declared` is its Content-Length when it sent one. */
  open(declared: number | null): UnverifiedBody {
    return new UnverifiedBody(this, declared !== null && declared > SMALL_BODY);
  }

  /** @internal Takes `bytes` for a body (its class moving to large if `becomesLarge`); false when over budget. */
  take(bytes: number, held: number, isLarge: boolean, becomesLarge: boolean): boolean {
    if (this.total + bytes > this.limit) return false;
    const largeAfter = this.large + bytes + (becomesLarge ? held : 0);
    if ((isLarge || becomesLarge) && largeAfter > this.largeLimit) return false;
    this.total += bytes;
    if (isLarge || becomesLarge) this.large = largeAfter;
    return true;
  }

  /** @internal */
  give(bytes: number, isLarge: boolean): void {
    this.total -= bytes;
    if (isLarge) this.large -= bytes;
  }
}

/** One body's share of the budget. */
export class UnverifiedBody {
  private held = 0;
  private released = false;

  constructor(
    private readonly budget: UnverifiedBodies,
    private isLarge: boolean,
  ) {}

  get bytes(): number {
    return this.held;
  }

  /** Takes the bytes of the next chunk; false (nothing taken) when the budget has no room. */
  take(bytes: number): boolean {
    if (this.released) return false;
    const becomesLarge = !this.isLarge && this.held + bytes > SMALL_BODY;
    if (!this.budget.take(bytes, this.held, this.isLarge, becomesLarge)) return false;
    this.held += bytes;
    if (becomesLarge) this.isLarge = true;
    return true;
  }

  /** Gives every byte back; idempotent (verification, refusal and a cut connection may all call it). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held, this.isLarge);
    this.held = 0;
  }
}
