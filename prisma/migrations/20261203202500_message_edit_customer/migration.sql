-- An edit names its customer: an edit of a message the service never stored (sent before the app
-- was subscribed) is otherwise linked to nobody, and erasing the customer left its text behind.
ALTER TABLE "message_edits" ADD COLUMN "page_id" TEXT, ADD COLUMN "user_id" TEXT;

UPDATE "message_edits" e SET "page_id" = m."page_id", "user_id" = m."user_id"
FROM "messages" m WHERE m."mid" = e."mid";

CREATE INDEX "message_edits_page_id_user_id_idx" ON "message_edits" ("page_id", "user_id");
