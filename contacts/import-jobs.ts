// The contact_imports table: one row per import (dry runs included) with its
// progress and report, and the JSON view GET /v1/contacts/imports/{id} shows.
import type { ContactImport } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../lib/db';
import type { ConsentAttestation } from './import-consent';
import type { ImportFormat, RowError } from './import-parse';

/** How many errors and notes a report lists; the rest are counted. */
export const REPORT_LIMIT = 100;
/** A queued or running import whose row has not moved for this long was cut short (e.g. a server restart). */
export const STALE_AFTER_MS = 5 * 60_000;

export interface RowNote {
  line: number;
  field: string;
  note: string;
}

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'rejected', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
const statusSchema = z.enum(IMPORT_STATUSES);

/** Counts as the import goes; written to the row after each chunk. */
export class ImportTally {
  rows = 0;
  created = 0;
  updated = 0;
  unchanged = 0;
  failed = 0;
  subscribed = 0;
  bytesRead = 0;
  errors: RowError[] = [];
  errorsCount = 0;
  notes: RowNote[] = [];
  notesCount = 0;

  /** A row that failed, with one error per bad field. */
  fail(errors: RowError[]): void {
    this.failed++;
    for (const e of errors) {
      this.errorsCount++;
      if (this.errors.length < REPORT_LIMIT) this.errors.push(e);
    }
  }

  note(n: RowNote): void {
    this.notesCount++;
    if (this.notes.length < REPORT_LIMIT) this.notes.push(n);
  }

  columns() {
    return {
      rows: this.rows,
      created: this.created,
      updated: this.updated,
      unchanged: this.unchanged,
      failed: this.failed,
      subscribed: this.subscribed,
      bytesRead: BigInt(this.bytesRead),
      errors: this.errors.map((e) => ({ line: e.line, field: e.field, reason: e.reason })),
      errorsCount: this.errorsCount,
      notes: this.notes.map((n) => ({ line: n.line, field: n.field, note: n.note })),
      notesCount: this.notesCount,
    };
  }
}

export async function createImportJob(
  db: Db,
  input: {
    format: ImportFormat;
    dryRun: boolean;
    atomic: boolean;
    consent: ConsentAttestation | null;
    totalBytes: number | null;
    status: ImportStatus;
  },
): Promise<ContactImport> {
  const now = new Date();
  return db.contactImport.create({
    data: {
      createdAt: now,
      updatedAt: now,
      status: input.status,
      format: input.format,
      dryRun: input.dryRun,
      atomic: input.atomic,
      consent: input.consent ? { ...input.consent, obtainedAt: input.consent.obtainedAt.toISOString() } : undefined,
      totalBytes: input.totalBytes === null ? null : BigInt(input.totalBytes),
      startedAt: input.status === 'running' ? now : null,
    },
  });
}

export async function markRunning(db: Db, id: string): Promise<void> {
  await db.contactImport.update({ where: { id }, data: { status: 'running', startedAt: new Date(), updatedAt: new Date() } });
}

export async function saveProgress(db: Db, id: string, tally: ImportTally): Promise<void> {
  await db.contactImport.update({ where: { id }, data: { ...tally.columns(), updatedAt: new Date() } });
}

export async function finishImportJob(
  db: Db,
  id: string,
  status: ImportStatus,
  tally: ImportTally,
  error: string | null,
): Promise<ContactImport> {
  const now = new Date();
  return db.contactImport.update({ where: { id }, data: { ...tally.columns(), status, error, finishedAt: now, updatedAt: now } });
}

const rowErrorsSchema = z.array(z.object({ line: z.number(), field: z.string(), reason: z.string() }));
const rowNotesSchema = z.array(z.object({ line: z.number(), field: z.string(), note: z.string() }));
const consentSchema = z
  .object({ source: z.string(), obtainedAt: z.string(), categories: z.array(z.string()), attestedBy: z.string() })
  .nullable();

/** The JSON shape of an import on the API (the progress bar reads `progress`). */
export function importView(job: ContactImport, now = new Date()) {
  const active = job.status === 'queued' || job.status === 'running';
  const stale = active && now.getTime() - job.updatedAt.getTime() > STALE_AFTER_MS;
  const total = job.totalBytes === null ? null : Number(job.totalBytes);
  const read = Number(job.bytesRead);
  const finished = !active;
  const errors = rowErrorsSchema.parse(job.errors);
  const notes = rowNotesSchema.parse(job.notes);
  return {
    id: job.id,
    status: stale ? ('interrupted' as const) : statusSchema.parse(job.status),
    format: z.enum(['csv', 'ndjson']).parse(job.format),
    dryRun: job.dryRun,
    atomic: job.atomic,
    /**
     * Whether the changes counted are kept: never for a dry run; for an atomic
     * import only once completed; otherwise each finished chunk is committed as it goes.
     */
    written: !job.dryRun && (!job.atomic || job.status === 'completed'),
    consent: consentSchema.parse(job.consent ?? null),
    progress: {
      rowsProcessed: job.rows,
      bytesRead: read,
      totalBytes: total,
      /** 0..100 from the bytes read, when the size is known; 100 once finished. */
      percent: finished ? 100 : total ? Math.min(99, Math.floor((read / total) * 100)) : null,
    },
    summary: {
      rows: job.rows,
      created: job.created,
      updated: job.updated,
      unchanged: job.unchanged,
      failed: job.failed,
      subscribed: job.subscribed,
      durationMs: job.startedAt ? (job.finishedAt ?? now).getTime() - job.startedAt.getTime() : null,
    },
    errors,
    errorsOmitted: job.errorsCount - errors.length,
    notes,
    notesOmitted: job.notesCount - notes.length,
    error:
      job.error ??
      (stale
        ? 'the import stopped before it finished (the server restarted?); rows of finished chunks stay written: import the file again'
        : null),
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
export type ImportView = ReturnType<typeof importView>;

export async function getImportJob(db: Db, id: string): Promise<ImportView | null> {
  const job = await db.contactImport.findUnique({ where: { id } });
  return job ? importView(job) : null;
}

export async function listImportJobs(db: Db, limit: number): Promise<ImportView[]> {
  const jobs = await db.contactImport.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  return jobs.map((j) => importView(j));
}
