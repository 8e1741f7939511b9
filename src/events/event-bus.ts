import { applyDecorators, Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { MessengerEvent } from './messenger-event';

/**
 * How ingestion hands events to the modules that store them. Abstract so that a broker-backed bus
 * can replace the in-process one; `publish` resolves once every handler has finished and rejects
 * when one of them failed, so the caller can record the outcome on the stored event.
 */
export abstract class EventBus {
  abstract publish(event: MessengerEvent): Promise<void>;
}

@Injectable()
export class InProcessEventBus extends EventBus {
  constructor(private readonly emitter: EventEmitter2) {
    super();
  }

  async publish(event: MessengerEvent): Promise<void> {
    await this.emitter.emitAsync(event.name, event);
  }
}

/**
 * Subscribes a handler to one event class. Errors are not suppressed: a handler that throws fails
 * the publication, and the event stays pending for the sweeper.
 */
export function OnMessengerEvent(eventClass: { readonly eventName: string }): MethodDecorator {
  return OnEvent(eventClass.eventName, { suppressErrors: false, promisify: true });
}

/** Subscribes one handler to each of several event classes (OnMessengerEvent for each). */
export function OnMessengerEvents(
  eventClasses: readonly { readonly eventName: string }[],
): MethodDecorator {
  return applyDecorators(...eventClasses.map((eventClass) => OnMessengerEvent(eventClass)));
}
