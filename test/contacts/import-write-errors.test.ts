// How the importer reads PostgreSQL's error codes from Prisma's driver adapter:
// both a unique violation (columns named) and a foreign-key violation (index
// named) must yield their SQLSTATE, so the importer reports the row instead of
// failing the whole job.
import { describe, expect, it } from 'vitest';
import { pgErrorCode } from '../../contacts/import-write';

const adapterError = (cause: Record<string, unknown>) =>
  Object.assign(new Error('query failed'), { meta: { driverAdapterError: { cause } } });

describe('pgErrorCode', () => {
  it('reads a unique violation', () => {
    expect(pgErrorCode(adapterError({ originalCode: '23505', constraint: { fields: ['email'] } }))).toBe('23505');
  });

  it('reads a foreign-key violation, whose constraint names an index', () => {
    expect(pgErrorCode(adapterError({ originalCode: '23503', constraint: { index: 'contact_consents_contact_id_fkey' } }))).toBe('23503');
  });

  it('is null for errors that are not from the database', () => {
    expect(pgErrorCode(new Error('boom'))).toBeNull();
    expect(pgErrorCode(undefined)).toBeNull();
  });
});
