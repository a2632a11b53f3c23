// What happened to a contact, newest first: events, emails, journey steps.
import type { Db } from '../../lib/db';
import { contactTimeline } from '../timeline';
import { contactByRef, type ContactRefKind } from './contact-by-ref';

export async function timelineOf(db: Db, ref: string, by: ContactRefKind, page: { limit: number; before?: string }) {
  const contact = await contactByRef(db, ref, by);
  const entries = await contactTimeline(db, contact.id, { limit: page.limit, before: page.before ? new Date(page.before) : undefined });
  return { contactId: contact.id, entries };
}
