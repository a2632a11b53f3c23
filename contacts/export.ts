// A GDPR access request (art. 15): everything Rapport holds about one contact,
// as one JSON document. The response schema is zod, so the OpenAPI document can
// be generated from it; the use case reads each table that names the contact.
import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { contactView } from './service';

const iso = z.string().describe('ISO 8601 date-time');
const isoOrNull = iso.nullable();
const json = z.json();

/** The body of GET /v1/contacts/{ref}/export. */
export const contactExportSchema = z.object({
  exportedAt: iso,
  format: z.literal('rapport.contact-export.v1'),
  contact: z.record(z.string(), json).describe('The contact record, as GET /v1/contacts/{ref} shows it, plus the remaining stored fields'),
  consents: z.array(
    z.object({
      categories: z.array(z.string()),
      source: z.string(),
      obtainedAt: iso,
      attestedBy: z.string(),
      recordedAt: iso,
      importId: z.string().nullable(),
    }),
  ),
  suppressions: z.array(z.object({ category: z.string(), reason: z.string(), source: z.string().nullable(), createdAt: iso })),
  events: z.array(z.object({ id: z.string(), source: z.string(), type: z.string(), properties: json, occurredAt: iso, receivedAt: iso })),
  emails: z.array(
    z.object({
      id: z.string(),
      templateKey: z.string(),
      templateVersion: z.number().int(),
      category: z.string(),
      journeyKey: z.string().nullable(),
      toAddress: z.string(),
      subject: z.string().nullable(),
      status: z.string(),
      opens: z.number().int(),
      clicks: z.number().int(),
      firstOpenedAt: isoOrNull,
      firstClickedAt: isoOrNull,
      createdAt: iso,
      sentAt: isoOrNull,
    }),
  ),
  journeyRuns: z.array(
    z.object({
      journeyKey: z.string(),
      journeyVersion: z.number().int(),
      status: z.string(),
      currentStep: z.string().nullable(),
      startedAt: iso,
      endedAt: isoOrNull,
    }),
  ),
  journeySteps: z.array(
    z.object({ journeyKey: z.string(), stepId: z.string(), kind: z.string(), outcome: z.string(), detail: json, at: iso }),
  ),
  salesTasks: z.array(
    z.object({ owner: z.string(), reason: z.string(), dueAt: iso, status: z.string(), createdAt: iso, completedAt: isoOrNull }),
  ),
  approvals: z.array(
    z.object({
      subject: z.string(),
      approver: z.string(),
      detail: json,
      deadline: iso,
      status: z.string(),
      decidedBy: z.string().nullable(),
      decidedAt: isoOrNull,
      createdAt: iso,
    }),
  ),
  coupons: z.array(
    z.object({
      code: z.string(),
      reason: z.string(),
      valueCents: z.number().int(),
      currency: z.string(),
      status: z.string(),
      issuedAt: iso,
      redeemedAt: isoOrNull,
      expiresAt: isoOrNull,
    }),
  ),
  newsletters: z.array(z.object({ broadcastId: z.string(), name: z.string(), status: z.string(), updatedAt: iso })),
});
export type ContactExport = z.infer<typeof contactExportSchema>;

const d = (v: Date) => v.toISOString();
const dn = (v: Date | null) => (v ? v.toISOString() : null);
/** Stored JSON, checked as JSON on the way out (Prisma's JsonValue type is wider than zod's). */
const j = (v: Prisma.JsonValue | unknown): z.infer<typeof json> => json.parse(v);

/** The whole record of one (not erased) contact; null when there is none. */
export async function exportContact(db: Db, contactId: string, now = new Date()): Promise<ContactExport | null> {
  const c = await db.contact.findFirst({ where: { id: contactId, deletedAt: null } });
  if (!c) return null;
  const where = { contactId: c.id };
  const [consents, suppressions, events, emails, runs, steps, tasks, approvals, coupons, recipients] = await Promise.all([
    db.contactConsent.findMany({ where, orderBy: { recordedAt: 'asc' } }),
    db.suppression.findMany({ where: { email: c.email }, orderBy: { createdAt: 'asc' } }),
    db.event.findMany({ where, orderBy: { occurredAt: 'asc' } }),
    db.messageSend.findMany({ where, orderBy: { createdAt: 'asc' } }),
    db.journeyRun.findMany({ where, orderBy: { startedAt: 'asc' } }),
    db.journeyStepLog.findMany({ where, orderBy: { at: 'asc' } }),
    db.salesTask.findMany({ where, orderBy: { createdAt: 'asc' } }),
    db.approval.findMany({ where, orderBy: { createdAt: 'asc' } }),
    db.coupon.findMany({ where, orderBy: { issuedAt: 'asc' } }),
    db.broadcastRecipient.findMany({ where, include: { broadcast: { select: { name: true } } }, orderBy: { updatedAt: 'asc' } }),
  ]);
  const view = contactView(c);
  const contact: Record<string, z.infer<typeof json>> = {};
  for (const [k, v] of Object.entries({
    ...view,
    consentUpdatedAt: c.consentUpdatedAt,
    firstPurchaseAt: c.firstPurchaseAt,
    lastOpenAt: c.lastOpenAt,
  })) {
    contact[k] = v instanceof Date ? v.toISOString() : j(v);
  }
  return {
    exportedAt: d(now),
    format: 'rapport.contact-export.v1',
    contact,
    consents: consents.map((x) => ({
      categories: x.categories,
      source: x.source,
      obtainedAt: d(x.obtainedAt),
      attestedBy: x.attestedBy,
      recordedAt: d(x.recordedAt),
      importId: x.importId,
    })),
    suppressions: suppressions.map((x) => ({ category: x.category, reason: x.reason, source: x.source, createdAt: d(x.createdAt) })),
    events: events.map((x) => ({
      id: x.idempotencyKey,
      source: x.source,
      type: x.type,
      properties: j(x.properties),
      occurredAt: d(x.occurredAt),
      receivedAt: d(x.receivedAt),
    })),
    emails: emails.map((x) => ({
      id: x.id,
      templateKey: x.templateKey,
      templateVersion: x.templateVersion,
      category: x.category,
      journeyKey: x.journeyKey,
      toAddress: x.toAddress,
      subject: x.subject,
      status: x.status,
      opens: x.opens,
      clicks: x.clicks,
      firstOpenedAt: dn(x.firstOpenedAt),
      firstClickedAt: dn(x.firstClickedAt),
      createdAt: d(x.createdAt),
      sentAt: dn(x.sentAt),
    })),
    journeyRuns: runs.map((x) => ({
      journeyKey: x.journeyKey,
      journeyVersion: x.journeyVersion,
      status: x.status,
      currentStep: x.currentStep,
      startedAt: d(x.startedAt),
      endedAt: dn(x.endedAt),
    })),
    journeySteps: steps.map((x) => ({
      journeyKey: x.journeyKey,
      stepId: x.stepId,
      kind: x.kind,
      outcome: x.outcome,
      detail: j(x.detail),
      at: d(x.at),
    })),
    salesTasks: tasks.map((x) => ({
      owner: x.owner,
      reason: x.reason,
      dueAt: d(x.dueAt),
      status: x.status,
      createdAt: d(x.createdAt),
      completedAt: dn(x.completedAt),
    })),
    approvals: approvals.map((x) => ({
      subject: x.subject,
      approver: x.approver,
      detail: j(x.detail),
      deadline: d(x.deadline),
      status: x.status,
      decidedBy: x.decidedBy,
      decidedAt: dn(x.decidedAt),
      createdAt: d(x.createdAt),
    })),
    coupons: coupons.map((x) => ({
      code: x.code,
      reason: x.reason,
      valueCents: x.valueCents,
      currency: x.currency,
      status: x.status,
      issuedAt: d(x.issuedAt),
      redeemedAt: dn(x.redeemedAt),
      expiresAt: dn(x.expiresAt),
    })),
    newsletters: recipients.map((x) => ({
      broadcastId: x.broadcastId,
      name: x.broadcast.name,
      status: x.status,
      updatedAt: d(x.updatedAt),
    })),
  };
}
