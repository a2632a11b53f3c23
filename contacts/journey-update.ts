// What an `update_contact` step does to a contact's attributes and tags, and
// the one-line summary its timeline shows. Pure, so the worker's activity and
// the simulator apply the same change and say it the same way.

export interface ContactUpdate {
  set?: Record<string, unknown>;
  unset?: string[];
  addTags?: string[];
  removeTags?: string[];
  addPoints?: number;
  setTier?: string | null;
  subscriptions?: Record<string, 'subscribed' | 'unsubscribed' | 'sunset'>;
}

/** The attributes and tags after `update`; the inputs are not changed. */
export function applyContactUpdate(
  attributes: Record<string, unknown>,
  tags: readonly string[],
  update: ContactUpdate,
): { attributes: Record<string, unknown>; tags: string[] } {
  const next = { ...attributes };
  for (const [k, v] of Object.entries(update.set ?? {})) next[k] = v;
  for (const k of update.unset ?? []) delete next[k];
  const nextTags = new Set(tags);
  for (const t of update.addTags ?? []) nextTags.add(t);
  for (const t of update.removeTags ?? []) nextTags.delete(t);
  return { attributes: next, tags: [...nextTags] };
}

/** E.g. `set plan, +tag vip, +50 points, newsletter unsubscribed`. */
export function describeContactUpdate(update: ContactUpdate): string {
  return [
    ...Object.keys(update.set ?? {}).map((k) => `set ${k}`),
    ...(update.unset ?? []).map((k) => `unset ${k}`),
    ...(update.addTags ?? []).map((t) => `+tag ${t}`),
    ...(update.removeTags ?? []).map((t) => `-tag ${t}`),
    ...(update.addPoints ? [`${update.addPoints > 0 ? '+' : ''}${update.addPoints} points`] : []),
    ...(update.setTier !== undefined ? [`tier ${update.setTier ?? 'none'}`] : []),
    ...Object.entries(update.subscriptions ?? {}).map(([cat, state]) => `${cat} ${state}`),
  ].join(', ');
}
