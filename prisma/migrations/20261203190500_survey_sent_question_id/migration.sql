-- The question id sent to Meta, unique to the survey (the client's question id plus a suffix naming
-- the survey), so that an answer finds its survey exactly even with several open to one customer.
-- NULL for surveys sent before: their answers still match by the client's question id.

-- AlterTable
ALTER TABLE "surveys" ADD COLUMN "sent_question_id" TEXT;
