// Record updates made by journeys. Idempotent per change id, so a retried
// activity never adds loyalty points twice.
import type { Prisma } from '@prisma/client';
import { applyContactUpdate, describeContactUpdate, type ContactUpdate } from '../contacts/journey-update';
import { recordAttributeChanges, recordSystemEvent } from '../contacts/system-events';
import { jsonObject } from '../lib/json';
import type { ActivityDeps } from './deps';

export interface UpdateContactInput extends ContactUpdate {
  contactId: string;
  changeId: string;
}

export function createContactActivities({ db, onEventsStored }: ActivityDeps) {
  return {
    async updateContact(input: UpdateContactInput): Promise<{ applied: boolean; summary: string }> {
      const result = await db.$transaction(async (tx) => {
        // The change marker and the update commit together: at most once.
        const fresh = await recordSystemEvent(tx, {
          contactId: input.contactId,
          type: 'contact_updated_by_journey',
          key: `update:${input.changeId}`,
          properties: { changeId: input.changeId } as Prisma.InputJsonObject,
        });
        if (!fresh) return { applied: false, summary: 'already applied' };
        const c = await tx.contact.findUnique({ where: { id: input.contactId } });
        if (!c || c.deletedAt) return { applied: false, summary: 'contact deleted' };
        const { attributes, tags } = applyContactUpdate(jsonObject(c.attributes), c.tags, input);
        await tx.contact.update({
          where: { id: c.id },
          data: {
            attributes: attributes as Prisma.InputJsonObject,
            tags,
            loyaltyPoints: { increment: input.addPoints ?? 0 },
            ...(input.setTier !== undefined ? { tier: input.setTier } : {}),
            ...(input.subscriptions
              ? {
                  subscriptions: { ...jsonObject(c.subscriptions), ...input.subscriptions } as Prisma.InputJsonObject,
                  consentUpdatedAt: new Date(),
                  ...(input.subscriptions.newsletter === 'sunset' ? { newsletterSunsetAt: new Date() } : {}),
                }
              : {}),
          },
        });
        await recordAttributeChanges(tx, c.id, c.attributes, attributes as Prisma.JsonValue, input.changeId);
        return { applied: true, summary: describeContactUpdate(input) };
      });
      if (result.applied) onEventsStored?.();
      return result;
    },
  };
}
