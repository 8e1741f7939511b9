-- Survey campaigns: one send to every reachable customer of a Page whose last message fell in a
-- range, paced per Page; their targets are snapshotted at creation.

-- CreateTable
CREATE TABLE "survey_campaigns" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "page_id" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "survey" JSONB NOT NULL,
    "rate_per_second" INTEGER NOT NULL,
    "current_rate" INTEGER NOT NULL,
    "throttle_days" INTEGER,
    "use_feedback_tag" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "rate_limited" INTEGER NOT NULL DEFAULT 0,
    "tokens" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "tokens_at" TIMESTAMPTZ(3) NOT NULL,
    "paused_until" TIMESTAMPTZ(3),
    "backoff_ms" INTEGER NOT NULL DEFAULT 0,
    "rate_changed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "survey_campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_campaign_targets" (
    "campaign_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "page_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "survey_id" UUID,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "claimed_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "survey_campaign_targets_pkey" PRIMARY KEY ("campaign_id","user_id")
);

-- CreateIndex
CREATE INDEX "survey_campaigns_created_at_id_idx" ON "survey_campaigns"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "survey_campaigns_status_idx" ON "survey_campaigns"("status");

-- CreateIndex
CREATE INDEX "survey_campaign_targets_campaign_id_state_due_at_user_id_idx" ON "survey_campaign_targets"("campaign_id", "state", "due_at", "user_id");

-- CreateIndex
CREATE INDEX "survey_campaign_targets_page_id_claimed_at_idx" ON "survey_campaign_targets"("page_id", "claimed_at");

-- CreateIndex
CREATE INDEX "survey_campaign_targets_page_id_user_id_idx" ON "survey_campaign_targets"("page_id", "user_id");

-- CreateIndex
CREATE INDEX "conversations_page_id_last_inbound_at_idx" ON "conversations"("page_id", "last_inbound_at");

-- AddForeignKey
ALTER TABLE "survey_campaign_targets" ADD CONSTRAINT "survey_campaign_targets_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "survey_campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;
