-- AlterTable
ALTER TABLE "approvals" ADD COLUMN     "notified_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "sales_tasks" ADD COLUMN     "notified_at" TIMESTAMP(3);
