import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';

/**
 * What time it is, for behaviour that depends on it (retry schedules, giving up after a day).
 * Inject `Clock` instead of calling `new Date()` where a test must move time on without waiting:
 * the application uses real time; a test passes its own clock to `startTestApp` (option `clock`,
 * usually a `ManualClock`) and advances it, so a day of retries runs in a second and never sleeps.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that stands still until told to move: for tests (and benchmarks) that drive time. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date = new Date()) {
    super();
    this.current = start.getTime();
  }

  override now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(instant: Date): void {
    this.current = instant.getTime();
  }
}

/** Provides `Clock` everywhere: real time unless the application was built with another one. */
@Global()
@Module({})
export class ClockModule {
  static register(clock?: Clock): DynamicModule {
    return {
      module: ClockModule,
      providers: [clock ? { provide: Clock, useValue: clock } : Clock],
      exports: [Clock],
    };
  }
}
