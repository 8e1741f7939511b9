/**
 * A CTE that turns `synchronous_commit` off for its own statement's transaction only, for the
 * event handlers' writes. What they write is derived from the inbox, where the event stays pending
 * until the webhook module marks it processed with a synchronous commit. That later commit flushes
 * the WAL up to itself, this write included, so a crash can only lose handler writes of events
 * still pending, which are then handled again. Waiting for the disk on every event would cap the
 * rate at fsyncs/s.
 *
 * Use it as the first CTE (`WITH ${ASYNC_COMMIT}, …`) and read from `async_commit` in the
 * statement that writes, so PostgreSQL evaluates it before the write.
 */
export const ASYNC_COMMIT = `async_commit AS (SELECT set_config('synchronous_commit', 'off', true))`;
