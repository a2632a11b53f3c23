// Erases a contact's personal data and ends their journey runs.
import type { Db } from '../../lib/db';
import { deleteContact } from '../service';
import { contactByRef, type ContactRefKind } from './contact-by-ref';

export async function eraseContact(deps: { db: Db; onEventsStored?: () => void }, ref: string, by: ContactRefKind): Promise<void> {
  const contact = await contactByRef(deps.db, ref, by);
  await deleteContact(deps.db, contact.id);
  deps.onEventsStored?.();
}
