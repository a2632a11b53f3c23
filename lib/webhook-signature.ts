// Webhook authentication: HMAC-SHA256 over "<timestamp>.<raw body>" with the
// source's secret, sent as `Rapport-Signature: t=<unix seconds>,v1=<hex>`.
// A timestamp outside the tolerance window is refused (replay protection);
// a replay inside the window is harmless because event ids are idempotent.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'rapport-signature';

export function signWebhook(secret: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: Buffer,
  toleranceSeconds: number,
  now = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t)) return { ok: false, reason: 'signature header has no valid t=<unix seconds>' };
  if (Math.abs(now - t) > toleranceSeconds) return { ok: false, reason: 'timestamp outside the tolerance window' };
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex'));
  const got = Buffer.from(String(parts.v1 ?? ''));
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
