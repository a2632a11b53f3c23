// Handlebars helpers that templates may use (docs/email.md lists them with
// examples). Helpers read the contact from the root of the render context, so
// they work the same inside {{#each}} and {{#recommend}} blocks.
import type { HelperOptions } from 'handlebars';
import type Handlebars from 'handlebars';

// Building an Intl formatter costs far more than using one (a newsletter calls
// `money` and `date` a few times per recipient): they are kept per locale and
// options, a bounded number of them.
const MAX_FORMATTERS = 1000;
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function memo<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let f = cache.get(key);
  if (f) return f;
  f = make(); // throws for an unknown locale, currency or time zone: nothing cached
  if (cache.size >= MAX_FORMATTERS) cache.clear();
  cache.set(key, f);
  return f;
}

function numberFormat(locale: string, o: Intl.NumberFormatOptions): Intl.NumberFormat {
  return memo(numberFormats, JSON.stringify([locale, o]), () => new Intl.NumberFormat(locale, o));
}

function dateFormat(locale: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return memo(dateFormats, JSON.stringify([locale, o]), () => new Intl.DateTimeFormat(locale, o));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOptions(v: unknown): v is HelperOptions {
  return isRecord(v) && 'hash' in v && 'data' in v;
}

/** The render context's root (the object passed to the template). */
function rootOf(self: unknown, options: unknown): Record<string, unknown> {
  if (isOptions(options) && isRecord(options.data) && isRecord(options.data.root)) return options.data.root;
  return isRecord(self) ? self : {};
}

function contactOf(self: unknown, options: unknown): Record<string, unknown> {
  const root = rootOf(self, options);
  return isRecord(root.contact) ? root.contact : {};
}

/** The options object is always the helper's last argument. */
function lastArg(args: unknown[]): HelperOptions | undefined {
  const o = args[args.length - 1];
  return isOptions(o) ? o : undefined;
}

export interface CatalogProduct {
  sku: string;
  name: string;
  url: string;
  /** Price in minor units per currency, e.g. { "USD": 4900, "EUR": 4500 }. */
  prices?: Record<string, number>;
  imageUrl?: string;
  category?: string;
  description?: string;
}

export interface Recommendation extends CatalogProduct {
  /** The price in the contact's currency (minor units), or null if not sold in it. */
  price: number | null;
  currency: string;
}

/**
 * Products from `catalog` the contact has not bought (by SKU), in catalogue
 * order, priced in the contact's currency, at most `limit`.
 */
export function recommendProducts(
  catalog: readonly CatalogProduct[],
  purchasedSkus: readonly string[],
  currency: string,
  opts: { limit?: number; category?: string } = {},
): Recommendation[] {
  const bought = new Set(purchasedSkus.map((s) => s.toLowerCase()));
  return catalog
    .filter((p) => !bought.has(p.sku.toLowerCase()))
    .filter((p) => opts.category === undefined || p.category === opts.category)
    .slice(0, Math.max(0, opts.limit ?? 3))
    .map((p) => ({ ...p, price: p.prices?.[currency] ?? null, currency }));
}

function toCatalog(v: unknown): CatalogProduct[] {
  if (!Array.isArray(v)) return [];
  return v.filter((p): p is CatalogProduct => isRecord(p) && typeof p.sku === 'string' && typeof p.name === 'string');
}

function toStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export function registerHelpers(hb: typeof Handlebars): void {
  /** {{firstNameOr "there"}}: the contact's first name, or the fallback. */
  hb.registerHelper('firstNameOr', function (this: unknown, ...args: unknown[]) {
    const name = contactOf(this, lastArg(args)).firstName;
    const fallback = args.length > 1 ? args[0] : '';
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : String(fallback ?? '');
  });

  /**
   * {{money cents}} / {{money cents "EUR"}}: an amount in minor units, formatted
   * in the contact's currency (or the one given) and locale: "$1,234.50".
   */
  hb.registerHelper('money', function (this: unknown, ...args: unknown[]) {
    const options = lastArg(args);
    const contact = contactOf(this, options);
    const params = args.slice(0, -1);
    const cur = typeof params[1] === 'string' ? params[1] : String(contact.currency ?? 'USD');
    const locale = String(contact.locale ?? 'en');
    const amount = Number(params[0] ?? 0);
    if (!Number.isFinite(amount)) return '';
    try {
      return numberFormat(locale, { style: 'currency', currency: cur }).format(amount / 100);
    } catch {
      return numberFormat('en', { style: 'currency', currency: 'USD' }).format(amount / 100);
    }
  });

  /**
   * {{date value}} / {{date value "long"}} / {{date value "time"}}: a date in the
   * contact's time zone and locale. Styles: full, long, medium (default), short,
   * "time" (short time) and "datetime" (medium date, short time).
   */
  hb.registerHelper('date', function (this: unknown, ...args: unknown[]) {
    const options = lastArg(args);
    const contact = contactOf(this, options);
    const [value, style] = args.slice(0, -1);
    const d = value instanceof Date ? value : new Date(String(value));
    if (value === undefined || value === null || Number.isNaN(d.getTime())) return '';
    const timeZone = String(contact.timeZone ?? 'UTC');
    const locale = String(contact.locale ?? 'en');
    const fmt: Intl.DateTimeFormatOptions =
      style === 'time'
        ? { timeStyle: 'short', timeZone }
        : style === 'datetime'
          ? { dateStyle: 'medium', timeStyle: 'short', timeZone }
          : { dateStyle: (['full', 'long', 'medium', 'short'] as const).find((s) => s === style) ?? 'medium', timeZone };
    try {
      return dateFormat(locale, fmt).format(d);
    } catch {
      return dateFormat('en', { ...fmt, timeZone: 'UTC' }).format(d);
    }
  });

  /**
   * Product recommendations that leave out what the contact already bought
   * (context `purchasedSkus`), from the context's `catalog` or a list given:
   *   {{#recommend 3}}<a href="{{url}}">{{name}}</a> {{money price}}{{else}}...{{/recommend}}
   *   {{#each (recommend 2 category="books")}}...{{/each}}
   */
  hb.registerHelper('recommend', function (this: unknown, ...args: unknown[]) {
    const options = lastArg(args);
    const root = rootOf(this, options);
    const params = args.slice(0, -1);
    const list = params.find((p) => Array.isArray(p));
    const limit = params.find((p) => typeof p === 'number');
    const hash = isRecord(options?.hash) ? options.hash : {};
    const contact = isRecord(root.contact) ? root.contact : {};
    const picks = recommendProducts(toCatalog(list ?? root.catalog), toStrings(root.purchasedSkus), String(contact.currency ?? 'USD'), {
      limit: typeof limit === 'number' ? limit : typeof hash.limit === 'number' ? hash.limit : 3,
      category: typeof hash.category === 'string' ? hash.category : undefined,
    });
    if (!options || typeof options.fn !== 'function') return picks;
    if (picks.length === 0) return options.inverse(this);
    return picks
      .map((p, i) =>
        options.fn(p, {
          data: { ...(isRecord(options.data) ? options.data : {}), index: i, first: i === 0, last: i === picks.length - 1 },
        }),
      )
      .join('');
  });
}

/** Helper names (registered here and built into Handlebars), for validation. */
export const HELPER_NAMES = new Set(['firstNameOr', 'money', 'date', 'recommend', 'if', 'unless', 'each', 'with', 'lookup', 'log']);

/** Block helpers that change the context to items of a list. */
export const ITERATING_HELPERS = new Set(['each', 'recommend']);
