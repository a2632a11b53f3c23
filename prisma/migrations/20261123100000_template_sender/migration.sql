-- AlterTable
ALTER TABLE "template_versions" ADD COLUMN     "from_address" TEXT,
ADD COLUMN     "reply_to" TEXT;
