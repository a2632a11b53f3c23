// Events Rapport records itself about a contact (attribute changes,
// enrolments, approvals, deletions). They go through the same outbox as
// external events, so they reach journeys with the same guarantees. Here, in
// contacts/, because every one is on a contact's record and contacts write
// them: events/ (ingestion, delivery) builds on contacts, not the reverse.
import type { Prisma } from '@prisma/client';
import { SYSTEM_EVENTS } from '../shared/system-events';

type Tx = Prisma.TransactionClient;

/** Stores a system event once per key; returns whether it was new. */
export async function recordSystemEvent(
  tx: Tx,
  input: { contactId: string; type: string; key: string; properties: Prisma.InputJsonObject; occurredAt?: Date },
): Promise<boolean> {
  const r = await tx.event.createMany({
    data: [
      {
        idempotencyKey: `system:${input.key}`,
        source: 'system',
        type: input.type,
        contactId: input.contactId,
        properties: input.properties,
        occurredAt: input.occurredAt ?? new Date(),
      },
    ],
    skipDuplicates: true,
  });
  return r.count === 1;
}

type Json = Prisma.JsonValue;

/** One `attribute_changed` event per attribute whose value differs. */
export async function recordAttributeChanges(tx: Tx, contactId: string, before: Json, after: Json, key: string): Promise<number> {
  const a = (before && typeof before === 'object' && !Array.isArray(before) ? before : {}) as Record<string, Json>;
  const b = (after && typeof after === 'object' && !Array.isArray(after) ? after : {}) as Record<string, Json>;
  let n = 0;
  // Own keys only: an attribute named "constructor" must not read Object's.
  const own = (o: Record<string, Json>, k: string): Json => (Object.hasOwn(o, k) ? (o[k] ?? null) : null);
  for (const attr of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(own(a, attr)) === JSON.stringify(own(b, attr))) continue;
    const created = await recordSystemEvent(tx, {
      contactId,
      type: SYSTEM_EVENTS.attributeChanged,
      key: `${key}:${attr}`,
      properties: { attribute: attr, from: own(a, attr), to: own(b, attr) } as Prisma.InputJsonObject,
    });
    if (created) n++;
  }
  return n;
}
