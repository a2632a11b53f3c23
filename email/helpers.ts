// Handlebars helpers that templates may use. Each is documented in the README.
import type { HelperOptions } from 'handlebars';
import type Handlebars from 'handlebars';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function registerHelpers(hb: typeof Handlebars): void {
  /** {{firstNameOr "there"}}: the contact's first name, or the fallback. */
  hb.registerHelper('firstNameOr', function (this: unknown, fallback: unknown) {
    const contact = isRecord(this) && isRecord(this.contact) ? this.contact : undefined;
    const name = contact?.firstName;
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : String(fallback ?? '');
  });

  /** {{money cents currency}}: "$1,234.50" in the contact's locale. */
  hb.registerHelper('money', function (this: unknown, cents: unknown, currency: unknown, options: HelperOptions) {
    const contact = isRecord(this) && isRecord(this.contact) ? this.contact : undefined;
    const cur = typeof currency === 'string' ? currency : String(contact?.currency ?? 'USD');
    const locale = String(contact?.locale ?? 'en');
    void options;
    return new Intl.NumberFormat(locale, { style: 'currency', currency: cur }).format(Number(cents ?? 0) / 100);
  });

  /** {{date value "medium"}}: a date in the contact's time zone. */
  hb.registerHelper('date', function (this: unknown, value: unknown, style: unknown) {
    const contact = isRecord(this) && isRecord(this.contact) ? this.contact : undefined;
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) return '';
    const dateStyle = (['full', 'long', 'medium', 'short'] as const).find((s) => s === style) ?? 'medium';
    return new Intl.DateTimeFormat(String(contact?.locale ?? 'en'), {
      dateStyle,
      timeZone: String(contact?.timeZone ?? 'UTC'),
    }).format(d);
  });
}
