export * from './messenger-events';
export * from './permanent-event.error';
export * from './event-time';
