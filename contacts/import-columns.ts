// The CSV columns of a contact import: read by the importer (import-parse.ts)
// and offered by the workspace's column mapping (web/), from this one list.
// No imports: the web bundle takes it as it is.

/** CSV columns that name a contact field; `attributes.<name>` columns add attributes. */
export const CSV_COLUMNS = [
  'email',
  'externalId',
  'firstName',
  'lastName',
  'company',
  'phone',
  'timeZone',
  'locale',
  'currency',
  'ownerEmail',
  'tags',
  'marketingConsent',
] as const;
