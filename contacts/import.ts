// Bulk contact import (POST /v1/contacts/import): streams a CSV or NDJSON file,
// validates each row with the API's contact schema, and writes the valid rows
// in chunks (contacts/import-write.ts). Small files answer with their report;
// larger ones are spooled to a temporary file and run as a background job
// whose progress and report live in contact_imports.
//
// Imports write no events: they start no journeys and record no
// attribute_changed events (one event per row is the slow path this avoids).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { ConsentAttestation } from './import-consent';
import {
  createImportJob,
  finishImportJob,
  ImportTally,
  importView,
  markRunning,
  saveProgress,
  type ImportStatus,
  type ImportView,
} from './import-jobs';
import { ImportFileError, parseRows, type ImportFormat, type RowError } from './import-parse';
import { pgErrorCode, writeChunkAlone, writeChunkInTransaction, type ChunkResult, type ValidRow } from './import-write';
import { contactUpsertSchema } from './schema';

/** Rows written per statement; large enough to amortise round trips, small enough for steady progress. */
export const IMPORT_CHUNK_ROWS = 2000;
/** The longest an atomic import or a dry run (one transaction) may take. */
const ONE_TRANSACTION_TIMEOUT_MS = 30 * 60_000;

export interface ImportDeps {
  db: Db;
  log: Logger;
}

export interface ImportLimits {
  /** Larger bodies are refused (413). */
  maxBytes: number;
  /** Bodies up to this Content-Length answer with the report; larger or unsized ones run in the background. */
  syncMaxBytes: number;
}
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxBytes: 256 * 1024 * 1024, syncMaxBytes: 1024 * 1024 };

export interface ImportSettings {
  format: ImportFormat;
  /** Validate and count everything, keep nothing (only the import's own row). */
  dryRun: boolean;
  /** Keep nothing unless every row is good. */
  atomic: boolean;
  consent: ConsentAttestation | null;
}

export class ImportTooLargeError extends Error {
  override name = 'ImportTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the import is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES)`);
  }
}

/** Thrown out of a transaction to roll it back (dry run, rejected atomic import). */
class Rollback extends Error {}

/** Counts bytes for progress and refuses more than `max`. */
function byteCounter(tally: ImportTally, max: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      tally.bytesRead += chunk.length;
      if (tally.bytesRead > max) done(new ImportTooLargeError(max));
      else done(null, chunk);
    },
  });
}

function zodRowErrors(line: number, issues: readonly { path: PropertyKey[]; message: string }[]): RowError[] {
  return issues.map((i) => ({ line, field: i.path.map(String).join('.') || '(row)', reason: i.message }));
}

function addChunk(tally: ImportTally, r: ChunkResult): void {
  tally.created += r.created;
  tally.updated += r.updated;
  tally.unchanged += r.unchanged;
  tally.subscribed += r.subscribed;
  for (const f of r.failures) tally.fail(f);
  for (const n of r.notes) tally.note(n);
}

/**
 * Reads, validates and writes the file, updating the job row after each chunk.
 * Parsing the next chunk overlaps with writing the previous one.
 */
async function processFile(
  deps: ImportDeps,
  jobId: string,
  input: Readable,
  settings: ImportSettings,
  tally: ImportTally,
  maxBytes: number,
): Promise<void> {
  const counted = input.pipe(byteCounter(tally, maxBytes));
  input.once('error', (err) => counted.destroy(err));
  const ctx = { importId: jobId, consent: settings.consent, lock: !settings.dryRun };

  const run = async (write: (rows: ValidRow[]) => Promise<ChunkResult>) => {
    let pending: Promise<void> = Promise.resolve();
    let progress: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    // Rows read since the last flush: the valid ones, and the failures found while reading them.
    let chunk: ValidRow[] = [];
    let early: RowError[][] = [];
    let read = 0;
    const flush = async () => {
      const [rows, failures, count] = [chunk, early, read];
      [chunk, early, read] = [[], [], 0];
      await pending;
      if (failure) throw failure;
      pending = write(rows).then(
        (r) => {
          // Reported in line order, whichever step found the problem.
          r.failures = [...failures, ...r.failures].sort((a, b) => a[0]!.line - b[0]!.line);
          tally.rows += count;
          addChunk(tally, r);
          // Progress is written off the critical path, one update at a time; the final report waits for it.
          progress = progress
            .then(() => saveProgress(deps.db, jobId, tally))
            .catch((err: unknown) => {
              deps.log.warn({ err, importId: jobId }, 'could not save import progress');
            });
        },
        (err: unknown) => {
          failure = err;
        },
      );
    };
    try {
      for await (const row of parseRows(counted, settings.format)) {
        // Counted in rows read, not valid rows: a file of bad rows must not pile up in memory either.
        if (read >= IMPORT_CHUNK_ROWS) await flush();
        read++;
        if ('error' in row) {
          early.push([row.error]);
          continue;
        }
        const parsed = contactUpsertSchema.safeParse(row.value);
        if (!parsed.success) {
          early.push(zodRowErrors(row.line, parsed.error.issues));
          continue;
        }
        chunk.push({ line: row.line, input: parsed.data });
      }
      if (read > 0) await flush();
    } catch (err) {
      // A broken file stops reading; the good rows read before the break are still written.
      if (err instanceof ImportFileError && read > 0) await flush();
      throw err;
    } finally {
      // Never leave a write running behind a parse error: the job's final row comes after it.
      await pending;
      await progress;
    }
    if (failure) throw failure;
  };

  if (settings.dryRun || settings.atomic) {
    // One transaction for the whole file, rolled back unless it is kept: later
    // chunks see earlier ones, exactly as the real import would.
    await deps.db
      .$transaction(
        async (tx) => {
          await run((rows) => writeChunkInTransaction(tx, rows, ctx));
          if (settings.dryRun || tally.failed > 0) throw new Rollback();
        },
        { timeout: ONE_TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
      )
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
  } else {
    await run(async (rows) => {
      // A deadlock or serialization failure (another writer locked the same contacts) is worth another try.
      for (let attempt = 1; ; attempt++) {
        try {
          return await writeChunkAlone(deps.db, rows, ctx, { timeout: 120_000, maxWait: 30_000 });
        } catch (err) {
          const code = pgErrorCode(err);
          if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw err;
        }
      }
    });
  }
}

/** Runs an import whose job row exists; returns its final view. Never throws for a bad file. */
export async function runImport(
  deps: ImportDeps,
  jobId: string,
  input: Readable,
  settings: ImportSettings,
  maxBytes: number,
): Promise<{ view: ImportView; fileError: ImportFileError | null; tooLarge: boolean }> {
  const tally = new ImportTally();
  let status: ImportStatus = 'completed';
  let error: string | null = null;
  let fileError: ImportFileError | null = null;
  let tooLarge = false;
  try {
    await processFile(deps, jobId, input, settings, tally, maxBytes);
    if (settings.atomic && tally.failed > 0) {
      status = 'rejected';
      error = `${tally.failed} row(s) failed; nothing was written (atomic import)`;
    }
  } catch (err) {
    status = 'failed';
    if (err instanceof ImportFileError) {
      fileError = err;
      tally.errorsCount++;
      tally.errors.push({ line: err.line, field: err.field, reason: err.message });
      error = `line ${err.line}: ${err.message}`;
    } else if (err instanceof ImportTooLargeError) {
      tooLarge = true;
      error = err.message;
    } else {
      deps.log.error({ err, importId: jobId }, 'contact import failed');
      error = 'internal error while importing; rows of finished chunks stay written unless the import is atomic or a dry run';
    }
  }
  const job = await finishImportJob(deps.db, jobId, status, tally, error);
  deps.log.info({ importId: jobId, status, rows: tally.rows, failed: tally.failed }, 'contact import finished');
  return { view: importView(job), fileError, tooLarge };
}

export interface ImportSubmission {
  /** The file's bytes (the request body, or the file part of a form). */
  file: Readable;
  settings: ImportSettings;
  /** The request's Content-Length, if it sent one. */
  contentLength: number | null;
  /** The caller asked for a background job (Prefer: respond-async). */
  preferAsync: boolean;
}

export type ImportOutcome =
  { mode: 'sync'; view: ImportView; fileError: ImportFileError | null } | { mode: 'background'; view: ImportView };

const background = new Set<Promise<void>>();

/** Resolves once every background import of this process has finished (tests, shutdown). */
export async function backgroundImportsSettled(): Promise<void> {
  while (background.size > 0) await Promise.allSettled([...background]);
}

/**
 * The use case behind POST /v1/contacts/import. Small bodies (by
 * Content-Length) run now and return their report; others are spooled to a
 * temporary file (so the upload finishes and is size-checked first) and run
 * in the background: poll GET /v1/contacts/imports/{id}.
 */
export async function submitContactImport(deps: ImportDeps, limits: ImportLimits, sub: ImportSubmission): Promise<ImportOutcome> {
  if (sub.contentLength !== null && sub.contentLength > limits.maxBytes) throw new ImportTooLargeError(limits.maxBytes);
  const { settings } = sub;
  const jobInput = { format: settings.format, dryRun: settings.dryRun, atomic: settings.atomic, consent: settings.consent };

  if (!sub.preferAsync && sub.contentLength !== null && sub.contentLength <= limits.syncMaxBytes) {
    const job = await createImportJob(deps.db, { ...jobInput, totalBytes: sub.contentLength, status: 'running' });
    const r = await runImport(deps, job.id, sub.file, settings, limits.maxBytes);
    return { mode: 'sync', view: r.view, fileError: r.fileError };
  }

  const dir = await mkdtemp(join(tmpdir(), 'rapport-import-'));
  const path = join(dir, 'upload');
  try {
    const sizer = new ImportTally();
    await pipeline(sub.file, byteCounter(sizer, limits.maxBytes), createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { size } = await stat(path);
  const job = await createImportJob(deps.db, { ...jobInput, totalBytes: size, status: 'queued' });
  const task = (async () => {
    try {
      await markRunning(deps.db, job.id);
      await runImport(deps, job.id, createReadStream(path), settings, limits.maxBytes);
    } catch (err) {
      deps.log.error({ err, importId: job.id }, 'background contact import failed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  background.add(task);
  void task.finally(() => background.delete(task));
  return { mode: 'background', view: importView(job) };
}
