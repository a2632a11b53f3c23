-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "send_status" AS ENUM ('pending', 'sending', 'sent', 'failed', 'indeterminate', 'suppressed', 'deferred');

-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "external_id" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "company" TEXT,
    "phone" TEXT,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "subscriptions" JSONB NOT NULL DEFAULT '{}',
    "marketing_consent" BOOLEAN NOT NULL DEFAULT false,
    "consent_updated_at" TIMESTAMP(3),
    "lifetime_spend_cents" BIGINT NOT NULL DEFAULT 0,
    "tier" TEXT,
    "loyalty_points" INTEGER NOT NULL DEFAULT 0,
    "purchase_count" INTEGER NOT NULL DEFAULT 0,
    "last_purchase_at" TIMESTAMP(3),
    "newsletters_since_last_click" INTEGER NOT NULL DEFAULT 0,
    "newsletter_sunset_at" TIMESTAMP(3),
    "last_click_at" TIMESTAMP(3),
    "last_open_at" TIMESTAMP(3),
    "owner_email" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "deleted_at" TIMESTAMP(3),

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),
    "dispatch_attempts" INTEGER NOT NULL DEFAULT 0,
    "next_dispatch_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatch_error" TEXT,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_sends" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "template_key" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'journeys',
    "journey_key" TEXT,
    "workflow_id" TEXT,
    "step_id" TEXT,
    "to_address" TEXT NOT NULL,
    "subject" TEXT,
    "status" "send_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "message_id" TEXT NOT NULL,
    "provider_message_id" TEXT,
    "error" TEXT,
    "opens" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "first_opened_at" TIMESTAMP(3),
    "first_clicked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "message_sends_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journey_definitions" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "draft" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "journey_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journey_versions" (
    "id" UUID NOT NULL,
    "journey_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "checksum" TEXT NOT NULL,
    "published_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journey_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journey_runs" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "journey_key" TEXT NOT NULL,
    "journey_version" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "current_step" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "journey_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "journey_step_logs" (
    "id" UUID NOT NULL,
    "log_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "journey_step_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "templates" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'journeys',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_versions" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "preheader" TEXT,
    "mjml" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "template_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sales_tasks" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "owner" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "workflow_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "sales_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "approver" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "deadline" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decided_by" TEXT,
    "decided_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT '*',
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "coupons" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "value_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'issued',
    "issued_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "redeemed_at" TIMESTAMP(3),
    "expires_at" TIMESTAMP(3),

    CONSTRAINT "coupons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "contacts_email_key" ON "contacts"("email");

-- CreateIndex
CREATE UNIQUE INDEX "contacts_external_id_key" ON "contacts"("external_id");

-- CreateIndex
CREATE INDEX "contacts_created_at_idx" ON "contacts"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "events_idempotency_key_key" ON "events"("idempotency_key");

-- CreateIndex
CREATE INDEX "events_contact_id_occurred_at_idx" ON "events"("contact_id", "occurred_at");

-- CreateIndex
CREATE INDEX "events_dispatched_at_next_dispatch_at_idx" ON "events"("dispatched_at", "next_dispatch_at");

-- CreateIndex
CREATE INDEX "events_type_occurred_at_idx" ON "events"("type", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "message_sends_idempotency_key_key" ON "message_sends"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "message_sends_message_id_key" ON "message_sends"("message_id");

-- CreateIndex
CREATE INDEX "message_sends_contact_id_created_at_idx" ON "message_sends"("contact_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "journey_definitions_key_key" ON "journey_definitions"("key");

-- CreateIndex
CREATE UNIQUE INDEX "journey_versions_journey_id_version_key" ON "journey_versions"("journey_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "journey_versions_journey_id_checksum_key" ON "journey_versions"("journey_id", "checksum");

-- CreateIndex
CREATE UNIQUE INDEX "journey_runs_workflow_id_key" ON "journey_runs"("workflow_id");

-- CreateIndex
CREATE INDEX "journey_runs_contact_id_idx" ON "journey_runs"("contact_id");

-- CreateIndex
CREATE INDEX "journey_runs_journey_key_status_idx" ON "journey_runs"("journey_key", "status");

-- CreateIndex
CREATE UNIQUE INDEX "journey_step_logs_log_key_key" ON "journey_step_logs"("log_key");

-- CreateIndex
CREATE INDEX "journey_step_logs_contact_id_at_idx" ON "journey_step_logs"("contact_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "templates_key_key" ON "templates"("key");

-- CreateIndex
CREATE UNIQUE INDEX "template_versions_template_id_version_key" ON "template_versions"("template_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "template_versions_template_id_checksum_key" ON "template_versions"("template_id", "checksum");

-- CreateIndex
CREATE UNIQUE INDEX "sales_tasks_idempotency_key_key" ON "sales_tasks"("idempotency_key");

-- CreateIndex
CREATE INDEX "sales_tasks_owner_status_idx" ON "sales_tasks"("owner", "status");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_idempotency_key_key" ON "approvals"("idempotency_key");

-- CreateIndex
CREATE INDEX "approvals_status_deadline_idx" ON "approvals"("status", "deadline");

-- CreateIndex
CREATE UNIQUE INDEX "suppressions_email_category_key" ON "suppressions"("email", "category");

-- CreateIndex
CREATE UNIQUE INDEX "coupons_idempotency_key_key" ON "coupons"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "coupons_code_key" ON "coupons"("code");

-- CreateIndex
CREATE INDEX "coupons_contact_id_idx" ON "coupons"("contact_id");

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_sends" ADD CONSTRAINT "message_sends_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "journey_versions" ADD CONSTRAINT "journey_versions_journey_id_fkey" FOREIGN KEY ("journey_id") REFERENCES "journey_definitions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "journey_runs" ADD CONSTRAINT "journey_runs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "journey_step_logs" ADD CONSTRAINT "journey_step_logs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_versions" ADD CONSTRAINT "template_versions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sales_tasks" ADD CONSTRAINT "sales_tasks_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

