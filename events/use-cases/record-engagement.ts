// An open (pixel) or a click (redirect) of a sent email: counted on the send,
// and stored as an event on the contact (email_opened / email_clicked), which
// reaches waiting journeys. Tokens are checked by the caller; this trusts the
// send id and contact id they carry only if they match a send.
import { ingestEvent } from '../ingest';
import type { Db } from '../../lib/db';
import type { Logger } from '../../lib/logger';

export interface EngagementDeps {
  db: Db;
  log: Logger;
  onEventsStored?: () => void;
}

/** Counts one open or click; false when no send of that contact has this id. */
export async function recordEngagement(
  deps: EngagementDeps,
  link: { sendId: string; contactId: string; url?: string },
  kind: 'open' | 'click',
): Promise<boolean> {
  const send = await deps.db.messageSend.findUnique({ where: { id: link.sendId }, select: { id: true, contactId: true } });
  if (!send || send.contactId !== link.contactId) return false;
  const at = new Date();
  const updated = await deps.db.messageSend.update({
    where: { id: send.id },
    data: kind === 'open' ? { opens: { increment: 1 } } : { clicks: { increment: 1 } },
    select: { opens: true, clicks: true, templateKey: true, journeyKey: true },
  });
  await deps.db.messageSend.updateMany({
    where: { id: send.id, ...(kind === 'open' ? { firstOpenedAt: null } : { firstClickedAt: null }) },
    data: kind === 'open' ? { firstOpenedAt: at } : { firstClickedAt: at },
  });
  const n = kind === 'open' ? updated.opens : updated.clicks;
  try {
    await ingestEvent(deps.db, 'tracking', {
      // Deterministic per send, kind and count: a replayed request is the next one.
      id: `${kind}:${send.id}:${n}`,
      type: kind === 'open' ? 'email_opened' : 'email_clicked',
      contact: { id: send.contactId },
      properties: {
        sendId: send.id,
        template: updated.templateKey,
        journey: updated.journeyKey,
        ...(kind === 'click' ? { url: link.url ?? null } : {}),
      },
      occurredAt: at.toISOString(),
    });
    deps.onEventsStored?.();
  } catch (err) {
    // The counter is kept; a missing event must not break the recipient's click.
    deps.log.warn({ err: (err as Error).message, sendId: send.id, kind }, 'tracking event not stored');
  }
  return true;
}
