-- Newsletters sent at a time: when a scheduled one starts (null: at once).

-- AlterTable
ALTER TABLE "broadcasts" ADD COLUMN "send_at" TIMESTAMP(3);
