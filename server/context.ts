// What route handlers need, passed explicitly instead of via globals.
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../email/transport';
import type { Admission } from './admission';
import type { GroupCommit } from '../events/group-commit';

export interface ServerDeps {
  db: Db;
  log: Logger;
  apiKeys: string[];
  webhookSecrets: Record<string, string>;
  webhookToleranceSeconds: number;
  linkSecret: string;
  publicUrl: string;
  /** Reports whether Temporal answers (for /health). */
  temporalHealthy(): Promise<boolean>;
  /** Bounds how many requests store events at once (POST /v1/events, webhooks); absent: no bound. */
  ingestAdmission?: Admission;
  /** Commits concurrent requests' one-statement events together (INGEST_POOL_SIZE); absent: one statement each through Prisma. */
  ingestGroup?: GroupCommit;
  /** Called after events are stored, to deliver them without waiting for the next poll. */
  onEventsStored(): void;
  /** SMTP for template test sends and double opt-in confirmations; absent: those answer 503. */
  mailer?: Mailer;
  /** Default From for mail the server sends (MAIL_FROM). */
  mailFrom?: string;
  /** Temporal client for run queries and resume signals; absent in tests that need none. */
  temporal?: Client;
  /** Task queue of the workflows the server starts (newsletter broadcasts); TEMPORAL_TASK_QUEUE. */
  taskQueue?: string;
  /** Bearer token GET /metrics requires (METRICS_TOKEN); absent: /metrics is open. */
  metricsToken?: string;
  /** Contact import limits (IMPORT_MAX_BYTES, IMPORT_SYNC_MAX_BYTES); absent: the defaults. */
  imports?: { maxBytes: number; syncMaxBytes: number };
  /** The embedded mail sink's web address (MAIL_SINK_URL); absent: the workspace has no Mail page. */
  mailSinkUrl?: string;
}
