// What the preference page shows and saves, as rules over subscription states.
import { subscriptionsOf } from './suppression';

export { subscriptionsOf };

/**
 * Categories that take an explicit, confirmed opt-in: shown as chosen only when
 * subscribed, and the preference page never subscribes anyone to them (only the
 * double opt-in confirmation does).
 */
export const OPT_IN_CATEGORIES: ReadonlySet<string> = new Set(['newsletter']);

/** Whether the contact gets `category` now, as the preference page shows it. */
export function receives(subs: Record<string, string>, category: string): boolean {
  if (subs['*'] === 'unsubscribed') return false;
  const state = subs[category];
  if (OPT_IN_CATEGORIES.has(category)) return state === 'subscribed';
  // Other marketing categories are on until the contact says otherwise.
  return state === undefined || state === 'subscribed';
}
