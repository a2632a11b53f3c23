-- Newsletters at speed: the claim walks only the pending recipients of a
-- broadcast (in contact order), never the rows already done; sends claimed by
-- a chunk but not yet begun (`queued`: safe to send after a crash); per-domain
-- limits of a broadcast, and the per-minute windows they reserve slots in.

-- AlterTable
ALTER TABLE "message_sends" ADD COLUMN "queued" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "broadcasts" ADD COLUMN "domain_rate_per_minute" JSONB NOT NULL DEFAULT '{}';

-- DropIndex
DROP INDEX "broadcast_recipients_broadcast_id_status_idx";

-- CreateIndex
CREATE INDEX "broadcast_recipients_broadcast_id_status_contact_id_idx" ON "broadcast_recipients"("broadcast_id", "status", "contact_id");

-- CreateTable
CREATE TABLE "send_domain_windows" (
    "domain" TEXT NOT NULL,
    "window_start" TIMESTAMP(3) NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "send_domain_windows_pkey" PRIMARY KEY ("domain","window_start")
);
