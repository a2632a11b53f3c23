// Event types Rapport itself records (contacts, approvals, journeys write them;
// the dispatcher and workflows react to them). A definition only.

/** Internal event types Rapport itself records. */
export const SYSTEM_EVENTS = {
  contactDeleted: 'contact_deleted',
  attributeChanged: 'attribute_changed',
  enrolRequested: 'journey_enrol_requested',
  approvalDecided: 'approval_decided',
} as const;
