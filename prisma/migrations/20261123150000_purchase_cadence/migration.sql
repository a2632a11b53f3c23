-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "first_purchase_at" TIMESTAMP(3),
ADD COLUMN     "next_purchase_due_at" TIMESTAMP(3);
