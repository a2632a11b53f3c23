// Text that may quote email addresses (SMTP answers, error messages) on its way
// to places that must not hold personal data: Temporal history, logs.

/**
 * Characters that end an address in free text: space, quotes, brackets,
 * separators, and URL punctuation (an address inside a query string).
 */
const STOP = String.raw`\s<>()[\]{}"',;:@\\/?&=#`;
const LOCAL = String.raw`(?:"[^"\r\n]*"|[^${STOP}]+)`;
const DOMAIN = String.raw`(?:\[[^\]\s]*\]|[^${STOP}]*[^${STOP}.])`;
/** user@host, "quoted local"@host, user@[1.2.3.4], and URL-encoded user%40host. */
const EMAIL_SHAPED = new RegExp(`${LOCAL}(?:@|%40)${DOMAIN}`, 'giu');

/** Replaces anything shaped like an email address with `[address]`. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL_SHAPED, '[address]');
}
