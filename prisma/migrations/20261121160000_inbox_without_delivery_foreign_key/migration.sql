-- The intake writes each delivery and its events in one statement and nothing deletes deliveries:
-- the foreign key's per-event check and row lock, and the index that served its cascade, only
-- slowed the hot path down.

-- DropForeignKey
ALTER TABLE "webhook_events" DROP CONSTRAINT "webhook_events_delivery_id_fkey";

-- DropIndex
DROP INDEX "webhook_events_delivery_id_idx";
