-- Survey automation: rules, and one decision per trigger that fired (what was decided and why).

-- CreateTable
CREATE TABLE "survey_rules" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "page_ids" JSONB,
    "trigger_type" TEXT NOT NULL,
    "trigger" JSONB NOT NULL,
    "survey" JSONB NOT NULL,
    "throttle_days" INTEGER,
    "sample_rate" DOUBLE PRECISION NOT NULL,
    "quiet_hours" JSONB,
    "use_feedback_tag" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "survey_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_decisions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "rule_id" UUID NOT NULL,
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "event_key" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "survey_id" UUID,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "survey_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "survey_rules_enabled_trigger_type_idx" ON "survey_rules"("enabled", "trigger_type");

-- CreateIndex
CREATE UNIQUE INDEX "survey_decisions_rule_id_event_key_key" ON "survey_decisions"("rule_id", "event_key");

-- CreateIndex
CREATE INDEX "survey_decisions_rule_id_decided_at_id_idx" ON "survey_decisions"("rule_id", "decided_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "survey_decisions" ADD CONSTRAINT "survey_decisions_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "survey_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
