-- Who handled the conversation before a survey, and the automation rule that sent it: fixed on the
-- survey when it is sent, so that the score breakdown by responder and by rule reads a rollup
-- instead of walking conversations. NULL: nothing said who answered / sent by hand.

-- AlterTable
ALTER TABLE "surveys" ADD COLUMN "responder_app_id" TEXT,
ADD COLUMN "rule_id" TEXT;

-- Valid answers per Page, question, type, UTC day, responder and rule of the survey they answered,
-- and score, kept in the answer's write statement as score_daily is. '' stands for "none" in
-- responder and rule (a key column cannot be NULL): an answer that matched no survey, or a survey
-- nothing said anything about.
-- CreateTable
CREATE TABLE "score_daily_origin" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "responder" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "score_daily_origin_pkey" PRIMARY KEY ("page_id","question_id","type","day","responder","rule","score")
);

-- CreateIndex
CREATE INDEX "score_daily_origin_type_day_idx" ON "score_daily_origin"("type", "day");

-- Answers recorded before this migration: their surveys say nothing of responder or rule.
INSERT INTO "score_daily_origin" ("page_id", "question_id", "type", "day", "responder", "rule", "score", "count")
SELECT "page_id", "question_id", "type", ("submitted_at" AT TIME ZONE 'UTC')::date, '', '', "score", count(*)::int
FROM "survey_answers"
WHERE "valid"
GROUP BY 1, 2, 3, 4, 7;
