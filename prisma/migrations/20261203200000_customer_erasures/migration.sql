-- Erasure of one customer (DELETE /api/customers/{pageId}/{userId}) as a durable job: a restart
-- resumes it. The customer's id is kept only while the job runs (it must be, to resume it) and
-- cleared in the transaction that marks it done; `subject_hash` (an HMAC of the id with a server
-- secret) stays, so that a second request for the same customer is recognised.

-- CreateEnum
CREATE TYPE "CustomerErasureStatus" AS ENUM ('running', 'done');

-- CreateTable
CREATE TABLE "customer_erasures" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "page_id" TEXT NOT NULL,
    "subject_hash" CHAR(64) NOT NULL,
    "user_id" TEXT,
    "status" "CustomerErasureStatus" NOT NULL DEFAULT 'running',
    "erased" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_until" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "customer_erasures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_erasures_status_claimed_until_idx" ON "customer_erasures"("status", "claimed_until");

-- CreateIndex
CREATE INDEX "customer_erasures_page_id_subject_hash_idx" ON "customer_erasures"("page_id", "subject_hash");
