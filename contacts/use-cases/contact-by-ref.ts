// A contact as URLs name it: by id (the default), email or external id.
import { z } from 'zod';
import type { Db } from '../../lib/db';
import { InvalidInputError, NotFoundError } from '../../lib/errors';
import { findContact } from '../service';

export type ContactRefKind = 'id' | 'email' | 'externalId';

const uuid = z.uuid({ message: 'must be a contact id (UUID); use ?by=email or ?by=externalId otherwise' });

export async function contactByRef(db: Db, ref: string, by: ContactRefKind) {
  if (by === 'id') {
    const parsed = uuid.safeParse(ref);
    if (!parsed.success)
      throw new InvalidInputError('validation_failed', parsed.error.issues[0]!.message, [
        { path: 'ref', message: parsed.error.issues[0]!.message },
      ]);
  }
  const contact = await findContact(db, { [by]: by === 'email' ? ref.trim().toLowerCase() : ref });
  if (!contact) throw new NotFoundError('contact_not_found', `no contact with ${by} given`);
  return contact;
}
