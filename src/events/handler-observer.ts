/**
 * Who hears how long each handler took and whether it failed (the metrics). The bus passes it to
 * every listener as a second argument, beside the event, so no handler knows of it: the
 * `OnMessengerEvent` decorator wraps each handler method to time it and report by module.
 */
export interface HandlerObserver {
  handled(module: string, seconds: number, failed: boolean): void;
}

/** The Nest token of the optional HandlerObserver the in-process bus reports to. */
export const HANDLER_OBSERVER = Symbol('HANDLER_OBSERVER');

/** The module a handler class belongs to, as a metric label: `MessageEventsHandler` → `message-events`. */
export function handlerModuleName(className: string): string {
  const base = className.replace(/(Handler|Service)$/, '');
  return base.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() || 'handler';
}

type HandlerMethod = (this: unknown, event: unknown) => unknown;

/** The handler method, timed and reported to the observer the bus passes (when there is one). */
export function observedHandler(module: string, original: HandlerMethod): HandlerMethod {
  return async function observed(this: unknown, event: unknown, observer?: HandlerObserver) {
    if (observer === undefined) return original.call(this, event);
    const start = performance.now();
    try {
      const result = await original.call(this, event);
      observer.handled(module, (performance.now() - start) / 1000, false);
      return result;
    } catch (error) {
      observer.handled(module, (performance.now() - start) / 1000, true);
      throw error;
    }
  };
}
