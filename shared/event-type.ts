// The shape of an event type name, shared by events (what may be stored) and
// journey definitions (what triggers and waits may name).
import { safeString } from '../lib/zod-strings';

export const eventTypeSchema = safeString()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_.:-]*$/, 'must be lower-case letters, digits and _ . : - (e.g. "signed_up")');
