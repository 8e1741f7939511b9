-- An erasure finds a customer's raw intake through indexes instead of walking every raw row.
-- Their processed inbox events by user id (ids are Page-scoped: the Page is checked on the rows
-- found). Partial, on processed events only: the entry is written by the update that marks an
-- event processed, not by the intake's insert (an index entry per stored event cost the intake of
-- 100-event deliveries a quarter of its rate, BENCHMARKS.md). The events not processed (pending,
-- failed, unknown, dead: the backlog) are found through the status index. Hash: smaller and
-- cheaper to write than a B-tree on the text.
CREATE INDEX "webhook_events_user_id_idx" ON "webhook_events" USING HASH ("user_id") WHERE "status" = 'processed';

-- Events no parser could attribute to a customer, by delivery: an erasure reads those of the
-- deliveries it rewrites. Partial, so it costs the intake nothing for every other event.
CREATE INDEX "webhook_events_unattributed_idx" ON "webhook_events" ("delivery_id") WHERE "user_id" IS NULL;

-- A delivery whose events were already stored (Meta sent it again) keeps its raw body but gets
-- no event rows: which customers it holds is written here, in the intake's one statement.
CREATE TABLE "webhook_redeliveries" (
    "delivery_id" BIGINT NOT NULL,
    "page_id" TEXT,
    "user_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_redeliveries_pkey" PRIMARY KEY ("delivery_id", "user_id")
);
CREATE INDEX "webhook_redeliveries_user_id_idx" ON "webhook_redeliveries" ("user_id");
