-- conversation_idle: what each watched conversation last saw, and decisions due later, claimed by
-- the scheduler under a lease.

-- A conversation_idle exchange: the customer's last message before the Page's answer (its
-- anchor) and the Page's last message in it (dueAt = that + idleMinutes). Null for other triggers.
ALTER TABLE "survey_decisions" ADD COLUMN "customer_at" TIMESTAMPTZ(3);
ALTER TABLE "survey_decisions" ADD COLUMN "page_at" TIMESTAMPTZ(3);
-- While a scheduler sends a due decision, no other one claims it; past it, it is due again.
ALTER TABLE "survey_decisions" ADD COLUMN "lease_until" TIMESTAMPTZ(3);
ALTER TABLE "survey_decisions" ADD COLUMN "claimed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "idle_watches" (
    "page_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "customer_at" TIMESTAMPTZ(3),
    "page_at" TIMESTAMPTZ(3),

    CONSTRAINT "idle_watches_pkey" PRIMARY KEY ("page_id", "user_id")
);

-- The scheduler's claim: due decisions only, oldest first.
CREATE INDEX "survey_decisions_due_idx" ON "survey_decisions"("due_at") WHERE "outcome" = 'scheduled';

-- A conversation's decisions (the idle trigger's state, erasure and export).
CREATE INDEX "survey_decisions_page_id_user_id_idx" ON "survey_decisions"("page_id", "user_id");

-- At most one scheduled conversation_idle decision per rule and conversation: an exchange's Page
-- messages push it instead of adding one.
CREATE UNIQUE INDEX "survey_decisions_one_scheduled_idle_key" ON "survey_decisions"("rule_id", "page_id", "user_id") WHERE "outcome" = 'scheduled' AND "trigger" = 'conversation_idle';
