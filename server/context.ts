// What route handlers need, passed explicitly instead of via globals.
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';

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
  /** Called after events are stored, to deliver them without waiting for the next poll. */
  onEventsStored(): void;
}
