export * from './messenger-events';
