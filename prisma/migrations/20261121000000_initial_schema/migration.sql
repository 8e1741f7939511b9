-- CreateEnum
CREATE TYPE "WebhookEventStatus" AS ENUM ('pending', 'processed', 'failed', 'dead', 'unknown');

-- CreateEnum
CREATE TYPE "MessageDirection" AS ENUM ('inbound', 'outbound');

-- CreateEnum
CREATE TYPE "SurveyStatus" AS ENUM ('sent', 'failed', 'responded', 'expired');

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "object" TEXT,
    "body" TEXT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "dedupe_key" CHAR(64) NOT NULL,
    "kind" TEXT NOT NULL,
    "object" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "page_id" TEXT,
    "user_id" TEXT,
    "entry_time" BIGINT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookEventStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pages" (
    "id" TEXT NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversations" (
    "id" BIGSERIAL NOT NULL,
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "last_message_at" TIMESTAMPTZ(3),
    "last_inbound_at" TIMESTAMPTZ(3),
    "message_count" INTEGER NOT NULL DEFAULT 0,
    "delivered_watermark" TIMESTAMPTZ(3),
    "read_watermark" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "mid" TEXT NOT NULL,
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "direction" "MessageDirection" NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,
    "text" TEXT,
    "helper_text" TEXT,
    "quick_reply_payload" TEXT,
    "reply_to_mid" TEXT,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "referral" JSONB,
    "cart" JSONB,
    "app_id" TEXT,
    "metadata" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("mid")
);

-- CreateTable
CREATE TABLE "message_edits" (
    "id" BIGSERIAL NOT NULL,
    "mid" TEXT NOT NULL,
    "num_edit" INTEGER NOT NULL,
    "text" TEXT,
    "edited_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_edits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_receipts" (
    "mid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_receipts_pkey" PRIMARY KEY ("mid","kind")
);

-- CreateTable
CREATE TABLE "conversation_events" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "page_id" TEXT,
    "user_id" TEXT,
    "kind" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "conversation_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_reactions" (
    "mid" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "reaction" TEXT,
    "emoji" TEXT,
    "reacted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_reactions_pkey" PRIMARY KEY ("mid","user_id")
);

-- CreateTable
CREATE TABLE "reaction_events" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "mid" TEXT NOT NULL,
    "page_id" TEXT,
    "user_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "reaction" TEXT,
    "emoji" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reaction_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "surveys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "page_id" TEXT NOT NULL,
    "recipient_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "status" "SurveyStatus" NOT NULL,
    "message_id" TEXT,
    "messaging_type" TEXT NOT NULL,
    "tag" TEXT,
    "request" JSONB NOT NULL,
    "error" JSONB,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "responded_at" TIMESTAMPTZ(3),

    CONSTRAINT "surveys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_answers" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "survey_id" UUID,
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "score" INTEGER,
    "valid" BOOLEAN NOT NULL,
    "follow_up_text" TEXT,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "survey_answers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "score_daily" (
    "page_id" TEXT NOT NULL,
    "question_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "score" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "score_daily_pkey" PRIMARY KEY ("page_id","question_id","type","day","score")
);

-- CreateTable
CREATE TABLE "response_feedback" (
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "mid" TEXT NOT NULL,
    "feedback" TEXT NOT NULL,
    "event_id" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "response_feedback_pkey" PRIMARY KEY ("page_id","user_id","mid")
);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_events_dedupe_key_key" ON "webhook_events"("dedupe_key");

-- CreateIndex
CREATE INDEX "webhook_events_delivery_id_idx" ON "webhook_events"("delivery_id");

-- CreateIndex
CREATE INDEX "webhook_events_status_next_attempt_at_idx" ON "webhook_events"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_events_status_id_idx" ON "webhook_events"("status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "conversations_page_id_user_id_key" ON "conversations"("page_id", "user_id");

-- CreateIndex
CREATE INDEX "conversations_page_id_last_message_at_id_idx" ON "conversations"("page_id", "last_message_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "conversations_last_message_at_id_idx" ON "conversations"("last_message_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "messages_page_id_user_id_sent_at_mid_idx" ON "messages"("page_id", "user_id", "sent_at", "mid");

-- CreateIndex
CREATE INDEX "messages_reply_to_mid_idx" ON "messages"("reply_to_mid");

-- CreateIndex
CREATE UNIQUE INDEX "message_edits_mid_num_edit_key" ON "message_edits"("mid", "num_edit");

-- CreateIndex
CREATE UNIQUE INDEX "conversation_events_event_id_key" ON "conversation_events"("event_id");

-- CreateIndex
CREATE INDEX "conversation_events_page_id_user_id_occurred_at_id_idx" ON "conversation_events"("page_id", "user_id", "occurred_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "reaction_events_event_id_key" ON "reaction_events"("event_id");

-- CreateIndex
CREATE INDEX "reaction_events_mid_at_id_idx" ON "reaction_events"("mid", "at", "id");

-- CreateIndex
CREATE INDEX "surveys_page_id_recipient_id_question_id_sent_at_idx" ON "surveys"("page_id", "recipient_id", "question_id", "sent_at" DESC);

-- CreateIndex
CREATE INDEX "surveys_status_expires_at_idx" ON "surveys"("status", "expires_at");

-- CreateIndex
CREATE INDEX "surveys_page_id_sent_at_idx" ON "surveys"("page_id", "sent_at");

-- CreateIndex
CREATE INDEX "surveys_sent_at_id_idx" ON "surveys"("sent_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "survey_answers_survey_id_key" ON "survey_answers"("survey_id");

-- CreateIndex
CREATE INDEX "survey_answers_page_id_type_submitted_at_idx" ON "survey_answers"("page_id", "type", "submitted_at");

-- CreateIndex
CREATE INDEX "survey_answers_type_submitted_at_idx" ON "survey_answers"("type", "submitted_at");

-- CreateIndex
CREATE UNIQUE INDEX "survey_answers_event_id_question_id_key" ON "survey_answers"("event_id", "question_id");

-- CreateIndex
CREATE INDEX "score_daily_type_day_idx" ON "score_daily"("type", "day");

-- CreateIndex
CREATE INDEX "response_feedback_page_id_occurred_at_idx" ON "response_feedback"("page_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_survey_id_fkey" FOREIGN KEY ("survey_id") REFERENCES "surveys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
