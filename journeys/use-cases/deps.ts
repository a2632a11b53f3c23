// What the journey use cases are given by their caller (the server, the
// dashboard's API): nothing is read from globals.
import type { Client } from '@temporalio/client';
import type { Db } from '../../lib/db';

export interface JourneyUseCaseDeps {
  db: Db;
  /** Runs are queried and signalled through it; absent: those parts are skipped. */
  temporal?: Client;
  /** Called after an event is stored, to deliver it without waiting for the next poll. */
  onEventsStored?: () => void;
}
