-- AlterTable
ALTER TABLE "conversation_events" ALTER COLUMN "event_id" SET DATA TYPE CHAR(64);

-- AlterTable
ALTER TABLE "reaction_events" ALTER COLUMN "event_id" SET DATA TYPE CHAR(64);
