-- Why an event is unknown, failed or dead, for the operator who looks at it. The parser knew why
-- an event was unknown but nothing kept it; a failed or dead event only had its last stack-less
-- error, which does not say whether retrying can help.

-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN "reason" TEXT;

-- Events that failed before this column existed: their last error is their reason.
UPDATE "webhook_events" SET "reason" = left("last_error", 500) WHERE "status" IN ('failed', 'dead');
