-- The daily rollups' hourly twins. A range that does not start and end at midnight UTC (the
-- default "last 30 days" ends now) read its two partial days from the answers and surveys
-- themselves, a cost that grew with the number of answers per day. Now only the minutes before its
-- first whole hour and after its last are read from the rows; the whole hours of the partial days
-- come from these tables, whose size depends on Pages x questions x hours, not on answers. Kept in
-- the same statements as the daily rollups. `hour` is the UTC hour's start. Every read is a range
-- of at most two days of hours, with or without a Page, question or type: the primary keys lead with
-- the hour, so one index serves them all and the write keeps one index per table.

-- CreateTable
CREATE TABLE "score_hourly" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "score" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "score_hourly_pkey" PRIMARY KEY ("hour","page_id","question_id","type","score")
);

-- CreateTable
CREATE TABLE "score_hourly_origin" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "responder" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "score_hourly_origin_pkey" PRIMARY KEY ("hour","page_id","question_id","type","responder","rule","score")
);

-- CreateTable
CREATE TABLE "survey_hourly" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "responded" INTEGER NOT NULL DEFAULT 0,
    "expired" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "survey_hourly_pkey" PRIMARY KEY ("hour","page_id","question_id","type")
);

-- What is already recorded, counted as the write path counts it, written in the order of the hours
-- (as the write path, which fills each hour in its turn, leaves them: a range of hours reads few
-- pages).
INSERT INTO "score_hourly" ("page_id", "question_id", "type", "hour", "score", "count")
SELECT "page_id", "question_id", "type", date_trunc('hour', "submitted_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       "score", count(*)::int
FROM "survey_answers"
WHERE "valid"
GROUP BY 1, 2, 3, 4, 5
ORDER BY 4;

INSERT INTO "score_hourly_origin" ("page_id", "question_id", "type", "hour", "responder", "rule", "score", "count")
SELECT a."page_id", a."question_id", a."type", date_trunc('hour', a."submitted_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       coalesce(s."responder_app_id", ''), coalesce(s."rule_id", ''), a."score", count(*)::int
FROM "survey_answers" a LEFT JOIN "surveys" s ON s."id" = a."survey_id"
WHERE a."valid"
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 4;

INSERT INTO "survey_hourly" ("page_id", "question_id", "type", "hour", "sent", "responded", "expired", "failed")
SELECT "page_id", "question_id", "type", date_trunc('hour', "sent_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       count(*) FILTER (WHERE "status" <> 'failed')::int, count(*) FILTER (WHERE "status" = 'responded')::int,
       count(*) FILTER (WHERE "status" = 'expired')::int, count(*) FILTER (WHERE "status" = 'failed')::int
FROM "surveys"
GROUP BY 1, 2, 3, 4
ORDER BY 4;
