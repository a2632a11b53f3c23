import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../lib/tokens';

const secret = 'link-secret-0123456789';
const payload = { p: 'unsubscribe' as const, c: '5f0c7a0e-6f1e-4a8e-9d7b-0c2d6c1e4a11', cat: 'newsletter' };

describe('signed link tokens', () => {
  it('round-trips a payload', () => {
    expect(verifyToken(secret, signToken(secret, payload))).toEqual(payload);
  });

  it('rejects tampered, truncated or foreign tokens', () => {
    const t = signToken(secret, payload);
    const [body, sig] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, cat: '*' })).toString('base64url');
    expect(verifyToken(secret, `${forged}.${sig}`)).toBeNull();
    expect(verifyToken(secret, `${body}.${sig!.slice(1)}`)).toBeNull();
    expect(verifyToken(secret, body!)).toBeNull();
    expect(verifyToken('another-secret-0123456789', t)).toBeNull();
    expect(verifyToken(secret, 'garbage')).toBeNull();
  });
});
