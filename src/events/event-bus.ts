import { Inject, Injectable, Optional } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import {
  HANDLER_OBSERVER,
  handlerModuleName,
  observedHandler,
  type HandlerObserver,
} from './handler-observer';
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
  constructor(
    private readonly emitter: EventEmitter2,
    @Optional() @Inject(HANDLER_OBSERVER) private readonly observer?: HandlerObserver,
  ) {
    super();
  }

  async publish(event: MessengerEvent): Promise<void> {
    // The observer goes along as a second argument: each handler, wrapped by OnMessengerEvent,
    // reports its own duration and outcome to it.
    await this.emitter.emitAsync(event.name, event, this.observer);
  }
}

/**
 * Subscribes a handler to one event class. Errors are not suppressed: a handler that throws fails
 * the publication, and the event stays pending for the sweeper.
 */
export function OnMessengerEvent(eventClass: { readonly eventName: string }): MethodDecorator {
  return OnMessengerEvents([eventClass]);
}

/**
 * Subscribes one handler to each of several event classes. The method is wrapped once (timed and
 * reported by its class's module to the bus's HandlerObserver), then subscribed to each.
 */
export function OnMessengerEvents(
  eventClasses: readonly { readonly eventName: string }[],
): MethodDecorator {
  return (target, key, descriptor) => {
    const original = descriptor.value as unknown as (this: unknown, event: unknown) => unknown;
    const module = handlerModuleName(
      (target as { constructor: { name: string } }).constructor.name,
    );
    (descriptor as PropertyDescriptor).value = observedHandler(module, original);
    for (const eventClass of eventClasses) {
      OnEvent(eventClass.eventName, { suppressErrors: false, promisify: true })(
        target,
        key,
        descriptor,
      );
    }
    return descriptor;
  };
}
