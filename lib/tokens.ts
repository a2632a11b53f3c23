// Signed, URL-safe tokens for consent and tracking links: the payload is
// readable (no PII goes in it: ids only) but cannot be forged or altered.
// Purposes: "unsubscribe" (one category, RFC 8058 one-click), "preferences"
// (the preference page), "confirm" (newsletter double opt-in, expires),
// "open" and "click" (tracking; a click token carries the only URL it may
// redirect to).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const tokenPayloadSchema = z.object({
  /** purpose */
  p: z.enum(['unsubscribe', 'preferences', 'confirm', 'open', 'click', 'approval']),
  /** contact id */
  c: z.uuid(),
  /** subscription category (unsubscribe) */
  cat: z.string().optional(),
  /** message send id (tracking) */
  s: z.string().optional(),
  /** target URL (click) */
  u: z.url().optional(),
  /** expiry, seconds since the epoch; absent: never expires */
  exp: z.number().int().optional(),
});
export type TokenPayload = z.infer<typeof tokenPayloadSchema>;

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function signToken(secret: string, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** Returns the payload, or null for a malformed, tampered, foreign or expired token. */
export function verifyToken(secret: string, token: string, now = Date.now()): TokenPayload | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const want = Buffer.from(mac(secret, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    const parsed = tokenPayloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    if (parsed.data.exp !== undefined && parsed.data.exp * 1000 < now) return null;
    return parsed.data;
  } catch {
    return null;
  }
}
