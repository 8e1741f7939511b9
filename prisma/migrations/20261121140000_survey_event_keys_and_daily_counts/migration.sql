-- AlterTable
ALTER TABLE "response_feedback" ALTER COLUMN "event_id" SET DATA TYPE CHAR(64);

-- AlterTable
ALTER TABLE "survey_answers" ALTER COLUMN "event_id" SET DATA TYPE CHAR(64);

-- CreateTable
CREATE TABLE "survey_daily" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "responded" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "survey_daily_pkey" PRIMARY KEY ("page_id","question_id","type","day")
);

-- CreateIndex
CREATE INDEX "survey_daily_day_idx" ON "survey_daily"("day");
