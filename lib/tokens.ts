// Signed, URL-safe tokens for unsubscribe and tracking links: the payload is
// readable (no PII goes in it: ids only) but cannot be forged or altered.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const tokenPayloadSchema = z.object({
  /** purpose: "unsubscribe" | "open" | "click" */
  p: z.enum(['unsubscribe', 'open', 'click']),
  /** contact id */
  c: z.uuid(),
  /** subscription category (unsubscribe) */
  cat: z.string().optional(),
  /** message send id (tracking) */
  s: z.string().optional(),
  /** target URL (click) */
  u: z.url().optional(),
});
export type TokenPayload = z.infer<typeof tokenPayloadSchema>;

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function signToken(secret: string, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** Returns the payload, or null for a malformed, tampered or foreign token. */
export function verifyToken(secret: string, token: string): TokenPayload | null {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const want = Buffer.from(mac(secret, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    const parsed = tokenPayloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
