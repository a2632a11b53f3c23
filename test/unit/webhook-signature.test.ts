import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../lib/webhook-signature';

const secret = 'whsec_0123456789abcdef';
const body = Buffer.from('{"id":"1"}');

describe('webhook signatures', () => {
  it('accepts a signature made with the same secret and body', () => {
    const now = 1_800_000_000;
    expect(verifyWebhook(secret, signWebhook(secret, body, now), body, 300, now)).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, or a missing header', () => {
    const now = 1_800_000_000;
    const sig = signWebhook(secret, body, now);
    expect(verifyWebhook(secret, sig, Buffer.from('{"id":"2"}'), 300, now)).toMatchObject({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verifyWebhook('other_secret_0123456789', sig, body, 300, now).ok).toBe(false);
    expect(verifyWebhook(secret, undefined, body, 300, now)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, 'v1=abc', body, 300, now)).toMatchObject({ ok: false });
  });

  it('refuses timestamps outside the tolerance window (replays)', () => {
    const now = 1_800_000_000;
    expect(verifyWebhook(secret, signWebhook(secret, body, now - 301), body, 300, now)).toMatchObject({
      ok: false,
      reason: 'timestamp outside the tolerance window',
    });
    expect(verifyWebhook(secret, signWebhook(secret, body, now + 301), body, 300, now).ok).toBe(false);
  });
});
