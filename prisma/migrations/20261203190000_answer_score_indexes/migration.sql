-- Comments filtered by score or listed lowest first (GET /api/scores/comments with minScore,
-- maxScore, band or order=lowest) read one score of a type at a time, newest first (submitted_at,
-- then id, descending). These indexes hold that whole order and only the answers with a comment
-- (partial): each read walks an index backwards and stops after a page, and a score without
-- comments costs nothing. The benchmark (BENCHMARKS.md, dashboard) saw a Page with few comments
-- time out when each score's answers were read from the table and filtered.

-- CreateIndex
CREATE INDEX "survey_answers_comments_page_idx" ON "survey_answers"("page_id", "type", "score", "submitted_at", "id") WHERE valid AND follow_up_text IS NOT NULL;

-- CreateIndex
CREATE INDEX "survey_answers_comments_idx" ON "survey_answers"("type", "score", "submitted_at", "id") WHERE valid AND follow_up_text IS NOT NULL;
