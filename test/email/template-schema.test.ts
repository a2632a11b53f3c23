// A test send's address follows the same rule as a contact's (lib/zod-strings.ts
// emailSchema): schemathesis found the route accepting a 90-character local part
// that the document's `format: email` refuses.
import { describe, expect, it } from 'vitest';
import { templateTestSendSchema } from '../../email/template-schema';

describe('templateTestSendSchema', () => {
  it('takes an address as contacts do, trimmed and lower-cased', () => {
    expect(templateTestSendSchema.parse({ to: '  Ada@Example.com ' }).to).toBe('ada@example.com');
  });

  it('refuses more than 64 characters before the @, naming `to`', () => {
    const r = templateTestSendSchema.safeParse({ to: `${'a'.repeat(65)}@example.com` });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['to']);
  });
});
