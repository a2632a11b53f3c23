// What a template sees: the render context. Built in one place for sends,
// previews, test sends and validation, so a variable that validates is a
// variable that renders.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Contact } from '@prisma/client';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { signToken } from '../lib/tokens';
import type { CatalogProduct } from './helpers';

export const CATALOG_PATH = resolve(import.meta.dirname, '..', 'templates', 'catalog.json');

const catalogSchema = z.array(
  z.object({
    sku: z.string().min(1),
    name: z.string().min(1),
    url: z.url(),
    prices: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().min(0)).optional(),
    imageUrl: z.url().optional(),
    category: z.string().optional(),
    description: z.string().optional(),
  }),
);

let catalogCache: CatalogProduct[] | null = null;

/** The product catalogue recommendations draw from (templates/catalog.json). */
export function loadCatalog(path = CATALOG_PATH): CatalogProduct[] {
  if (path === CATALOG_PATH && catalogCache) return catalogCache;
  const list = existsSync(path) ? catalogSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) : [];
  if (path === CATALOG_PATH) catalogCache = list;
  return list;
}

type Props = { properties: unknown };
const objectOf = (p: unknown): Record<string, unknown> | null =>
  p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : null;

/** SKUs in `purchase` events (most recent first): `items[].sku` and a top-level `sku`. */
function skusFrom(rows: Props[]): string[] {
  const skus = new Set<string>();
  for (const { properties } of rows) {
    const p = objectOf(properties);
    if (!p) continue;
    if (typeof p.sku === 'string') skus.add(p.sku);
    if (Array.isArray(p.items)) {
      for (const it of p.items) {
        const item = objectOf(it);
        if (item && typeof item.sku === 'string') skus.add(item.sku);
      }
    }
  }
  return [...skus];
}

/** Catalogue categories of viewed pages and products, most viewed first. */
function interestsFrom(rows: Props[], catalog: CatalogProduct[]): string[] {
  const bySku = new Map(catalog.map((p) => [p.sku, p.category]));
  const counts = new Map<string, number>();
  for (const { properties } of rows) {
    const p = objectOf(properties);
    if (!p) continue;
    const cat = typeof p.category === 'string' ? p.category : typeof p.sku === 'string' ? bySku.get(p.sku) : undefined;
    if (cat) counts.set(cat, (counts.get(cat) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

const INTEREST_EVENTS = ['page_viewed', 'product_viewed'];
const INTEREST_DAYS = 30;
/** Per contact and kind, the events looked at (the most recent). */
const FACT_EVENTS_LIMIT = 1000;

/** SKUs the contact bought: `purchase` events' `items[].sku` (and a top-level `sku`). */
export async function purchasedSkus(db: Db, contactId: string): Promise<string[]> {
  return (await renderFactsOf(db, [contactId])).get(contactId)?.purchasedSkus ?? [];
}

/**
 * What the contact showed interest in: catalogue categories of the pages and
 * products they viewed (`page_viewed` / `product_viewed` events with
 * `properties.category` or a catalogue `properties.sku`) in the last 30 days,
 * most viewed first. Nurture emails follow it.
 */
export async function interestsOf(
  db: Db,
  contactId: string,
  catalog: CatalogProduct[] = loadCatalog(),
  now = new Date(),
): Promise<string[]> {
  return (await renderFactsOf(db, [contactId], catalog, now)).get(contactId)?.interests ?? [];
}

export interface RenderFacts {
  purchasedSkus: string[];
  interests: string[];
}

/**
 * Purchases and interests of many contacts in one query (a newsletter chunk,
 * or one journey send): one round trip, whatever the number of contacts.
 */
export async function renderFactsOf(
  db: Db,
  contactIds: string[],
  catalog: CatalogProduct[] = loadCatalog(),
  now = new Date(),
): Promise<Map<string, RenderFacts>> {
  const out = new Map<string, RenderFacts>(contactIds.map((id) => [id, { purchasedSkus: [], interests: [] }]));
  if (contactIds.length === 0) return out;
  const since = new Date(now.getTime() - INTEREST_DAYS * 86_400_000);
  const rows = await db.$queryRaw<{ contact_id: string; purchase: boolean; properties: unknown }[]>`
    SELECT contact_id::text AS contact_id, purchase, properties FROM (
      SELECT contact_id, type = 'purchase' AS purchase, properties, occurred_at,
             row_number() OVER (PARTITION BY contact_id, type = 'purchase' ORDER BY occurred_at DESC) AS rn
      FROM events
      WHERE contact_id = ANY(${contactIds}::uuid[])
        AND (type = 'purchase' OR (type = ANY(${INTEREST_EVENTS}::text[]) AND occurred_at >= (${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')))
    ) e WHERE rn <= ${FACT_EVENTS_LIMIT}
    ORDER BY contact_id, occurred_at DESC`;
  const byContact = new Map<string, { purchases: Props[]; views: Props[] }>();
  for (const r of rows) {
    let g = byContact.get(r.contact_id);
    if (!g) byContact.set(r.contact_id, (g = { purchases: [], views: [] }));
    (r.purchase ? g.purchases : g.views).push(r);
  }
  for (const [id, g] of byContact) out.set(id, { purchasedSkus: skusFrom(g.purchases), interests: interestsFrom(g.views, catalog) });
  return out;
}

export interface ConsentLinks {
  /** One-click unsubscribe from this email's category (also the List-Unsubscribe URL). */
  unsubscribeUrl: string;
  /** The preference page: every category at once. */
  preferencesUrl: string;
}

export function consentLinks(opts: { publicUrl: string; linkSecret: string }, contactId: string, category: string): ConsentLinks {
  const base = opts.publicUrl.replace(/\/$/, '');
  return {
    unsubscribeUrl: `${base}/u/${signToken(opts.linkSecret, { p: 'unsubscribe', c: contactId, cat: category })}`,
    preferencesUrl: `${base}/preferences/${signToken(opts.linkSecret, { p: 'preferences', c: contactId })}`,
  };
}

/** The confirmation link of a newsletter double opt-in; valid for `days`. */
export function confirmUrl(opts: { publicUrl: string; linkSecret: string }, contactId: string, days = 7, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + days * 86_400;
  return `${opts.publicUrl.replace(/\/$/, '')}/confirm/${signToken(opts.linkSecret, { p: 'confirm', c: contactId, cat: 'newsletter', exp })}`;
}

type ContactFields = Pick<
  Contact,
  | 'firstName'
  | 'lastName'
  | 'company'
  | 'email'
  | 'tier'
  | 'currency'
  | 'locale'
  | 'timeZone'
  | 'attributes'
  | 'tags'
  | 'lifetimeSpendCents'
  | 'loyaltyPoints'
  | 'purchaseCount'
  | 'lastPurchaseAt'
  | 'createdAt'
>;

export interface RenderContext {
  contact: {
    firstName: string | null;
    lastName: string | null;
    company: string | null;
    email: string;
    tier: string | null;
    currency: string;
    locale: string;
    timeZone: string;
    attributes: unknown;
    tags: string[];
    lifetimeSpendCents: number;
    loyaltyPoints: number;
    purchaseCount: number;
    lastPurchaseAt: string | null;
    createdAt: string;
  };
  purchasedSkus: string[];
  /** Categories the contact viewed recently, most viewed first (see interestsOf). */
  interests: string[];
  /** interests[0], or null. */
  topInterest: string | null;
  catalog: CatalogProduct[];
  /** Null in transactional email (it has no unsubscribe). */
  unsubscribeUrl: string | null;
  preferencesUrl: string;
  /** Set in the newsletter confirmation email only. */
  confirmUrl: string | null;
  /** Per-send data a journey step or caller passes (e.g. a coupon code). */
  data: Record<string, unknown>;
  /** When the email was rendered (ISO). */
  now: string;
}

export function buildRenderContext(input: {
  contact: ContactFields;
  purchasedSkus?: string[];
  interests?: string[];
  catalog?: CatalogProduct[];
  links: ConsentLinks;
  category: string;
  confirmUrl?: string | null;
  data?: Record<string, unknown>;
  now?: Date;
}): RenderContext {
  const c = input.contact;
  return {
    contact: {
      firstName: c.firstName,
      lastName: c.lastName,
      company: c.company,
      email: c.email,
      tier: c.tier,
      currency: c.currency,
      locale: c.locale,
      timeZone: c.timeZone,
      attributes: c.attributes,
      tags: c.tags,
      lifetimeSpendCents: Number(c.lifetimeSpendCents),
      loyaltyPoints: c.loyaltyPoints,
      purchaseCount: c.purchaseCount,
      lastPurchaseAt: c.lastPurchaseAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
    },
    purchasedSkus: input.purchasedSkus ?? [],
    interests: input.interests ?? [],
    topInterest: input.interests?.[0] ?? null,
    catalog: input.catalog ?? loadCatalog(),
    unsubscribeUrl: input.category === 'transactional' ? null : input.links.unsubscribeUrl,
    preferencesUrl: input.links.preferencesUrl,
    confirmUrl: input.confirmUrl ?? null,
    data: input.data ?? {},
    now: (input.now ?? new Date()).toISOString(),
  };
}

/** A made-up contact for previews without one, and for validating templates. */
export const SAMPLE_CONTACT: ContactFields = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines Ltd',
  email: 'ada@example.com',
  tier: 'gold',
  currency: 'USD',
  locale: 'en',
  timeZone: 'Europe/London',
  attributes: { favouriteDrink: 'tea' },
  tags: ['vip'],
  lifetimeSpendCents: 123_450n,
  loyaltyPoints: 420,
  purchaseCount: 3,
  lastPurchaseAt: new Date('2026-10-01T10:00:00Z'),
  createdAt: new Date('2026-01-15T09:30:00Z'),
};

export function sampleRenderContext(
  opts: { publicUrl: string; linkSecret: string },
  category: string,
  data: Record<string, unknown> = {},
): RenderContext {
  const id = '00000000-0000-4000-8000-000000000000';
  return buildRenderContext({
    contact: SAMPLE_CONTACT,
    purchasedSkus: [loadCatalog()[0]?.sku ?? 'sku-none'],
    interests: ['templates', 'books'],
    links: consentLinks(opts, id, category),
    category,
    confirmUrl: confirmUrl(opts, id),
    data,
  });
}

/** Paths under which any name is allowed (free-form data). */
export const OPEN_PATHS = ['contact.attributes', 'data'];
