// Which journeys an event starts, for each trigger kind. Runs in the dispatcher
// as each event is delivered, so condition triggers are evaluated as events are
// recorded, not by polling.
import type { Contact } from '@prisma/client';
import type { Db } from '../lib/db';
import { contactField, evaluateCondition } from '../journeys/conditions';
import { dateFieldEvents } from '../journeys/interest';
import { matchesFilter, readPath, SYSTEM_EVENTS } from '../journeys/match';
import type { JourneyDefinition } from '../journeys/schema';

export interface TriggerEvent {
  type: string;
  properties: Record<string, unknown>;
}

export interface TriggerMatch {
  /** Keys one contact's runs (e.g. an order id); null: one run per contact. */
  runKey: string | null;
  why: string;
}

export async function triggerMatch(db: Db, def: JourneyDefinition, e: TriggerEvent, contact: Contact): Promise<TriggerMatch | null> {
  if (e.type === SYSTEM_EVENTS.enrolRequested) {
    return e.properties.journey === def.key ? { runKey: null, why: 'enrolled through the API or another journey' } : null;
  }
  const t = def.trigger;
  switch (t.type) {
    case 'event': {
      const types = Array.isArray(t.event) ? t.event : [t.event];
      if (!types.includes(e.type) || !matchesFilter(e.properties, t.where)) return null;
      if (!t.key) return { runKey: null, why: `event "${e.type}"` };
      const v = readPath(e.properties, t.key.slice('properties.'.length));
      if (v === undefined || v === null) return null; // a keyed journey needs the key
      return { runKey: String(v), why: `event "${e.type}" for ${t.key}` };
    }
    case 'condition': {
      if (e.type === SYSTEM_EVENTS.enrolRequested) return null;
      const r = await evaluateCondition(db, contact, t.when);
      return r.result ? { runKey: null, why: `condition holds: ${r.why}` } : null;
    }
    case 'attribute_changed': {
      if (e.type !== SYSTEM_EVENTS.attributeChanged || e.properties.attribute !== t.attribute) return null;
      if (t.to !== undefined && e.properties.to !== t.to) return null;
      return { runKey: null, why: `attribute "${t.attribute}" changed` };
    }
    case 'date': {
      if (!dateFieldEvents(t.field)(e)) return null;
      const value = contactField(contact, t.field);
      if (value === null || value === undefined || value === '') return null; // nothing to wait for yet
      return { runKey: null, why: `date trigger on ${t.field}` };
    }
    case 'api':
      return null;
  }
}
