// Deterministic workflow ids. They carry ids only (never an email or a name),
// so they are safe to show in the Temporal UI and logs.
export function journeyWorkflowId(journeyKey: string, contactId: string): string {
  return `journey/${journeyKey}/${contactId}`;
}
