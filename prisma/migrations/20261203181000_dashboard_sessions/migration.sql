-- Dashboard logins kept on the server, so that logging out ends a session for good: the cookie
-- holds a random id, this table its SHA-256 only.

-- CreateTable
CREATE TABLE "dashboard_sessions" (
    "id_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dashboard_sessions_pkey" PRIMARY KEY ("id_hash")
);

-- CreateIndex
CREATE INDEX "dashboard_sessions_expires_at_idx" ON "dashboard_sessions"("expires_at");
