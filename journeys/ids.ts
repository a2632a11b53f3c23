// Deterministic workflow ids. They carry ids only (never an email or a name),
// so they are safe to show in the Temporal UI and logs. A keyed trigger (one
// run per order, say) adds a hash of the key value, which may itself be PII.
import { createHash } from 'node:crypto';

export function journeyWorkflowId(journeyKey: string, contactId: string, runKey?: string | null): string {
  const base = `journey/${journeyKey}/${contactId}`;
  if (runKey === undefined || runKey === null) return base;
  return `${base}/${createHash('sha256').update(runKey).digest('hex').slice(0, 16)}`;
}
