// Record updates made by journeys. Idempotent per change id, so a retried
// activity never adds loyalty points twice.
import type { Prisma } from '@prisma/client';
import { recordAttributeChanges, recordSystemEvent } from '../contacts/system-events';
import { jsonObject } from '../lib/json';
import type { ActivityDeps } from './deps';

export interface UpdateContactInput {
  contactId: string;
  changeId: string;
  set?: Record<string, unknown>;
  unset?: string[];
  addTags?: string[];
  removeTags?: string[];
  addPoints?: number;
  setTier?: string | null;
  subscriptions?: Record<string, 'subscribed' | 'unsubscribed' | 'sunset'>;
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
        const attributes = { ...jsonObject(c.attributes) };
        for (const [k, v] of Object.entries(input.set ?? {})) attributes[k] = v;
        for (const k of input.unset ?? []) delete attributes[k];
        const tags = new Set(c.tags);
        for (const t of input.addTags ?? []) tags.add(t);
        for (const t of input.removeTags ?? []) tags.delete(t);
        await tx.contact.update({
          where: { id: c.id },
          data: {
            attributes: attributes as Prisma.InputJsonObject,
            tags: [...tags],
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
        const parts = [
          ...Object.keys(input.set ?? {}).map((k) => `set ${k}`),
          ...(input.unset ?? []).map((k) => `unset ${k}`),
          ...(input.addTags ?? []).map((t) => `+tag ${t}`),
          ...(input.removeTags ?? []).map((t) => `-tag ${t}`),
          ...(input.addPoints ? [`${input.addPoints > 0 ? '+' : ''}${input.addPoints} points`] : []),
          ...(input.setTier !== undefined ? [`tier ${input.setTier ?? 'none'}`] : []),
          ...Object.entries(input.subscriptions ?? {}).map(([cat, state]) => `${cat} ${state}`),
        ];
        return { applied: true, summary: parts.join(', ') };
      });
      if (result.applied) onEventsStored?.();
      return result;
    },
  };
}
