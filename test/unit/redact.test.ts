import { describe, expect, it } from 'vitest';
import { redactEmails } from '../../lib/redact';

describe('redactEmails', () => {
  it.each([
    ['550 5.1.1 <nouser@example.com>: no such user here', '550 5.1.1 <[address]>: no such user here'],
    [
      "Can't send mail - all recipients were rejected: 451 4.3.2 <busy-1@example.com> try again",
      "Can't send mail - all recipients were rejected: 451 4.3.2 <[address]> try again",
    ],
    ['mail to Ada.Lovelace+news@mail.example.co.uk.', 'mail to [address].'],
    ['RCPT TO:<ADA@EXAMPLE.COM> rejected', 'RCPT TO:<[address]> rejected'],
    ['x "john doe"@example.com y', 'x [address] y'],
    ['user@[192.0.2.1] refused', '[address] refused'],
    ['déjà@exämple.fr,other@x.io', '[address],[address]'],
    ['hello@localhost', '[address]'],
    ['https://x.test/u?e=ada%40example.com&a=1', 'https://x.test/u?e=[address]&a=1'],
    ['mailto:unsubscribe@rapport.test?subject=x', 'mailto:[address]?subject=x'],
  ])('%s', (input, expected) => {
    expect(redactEmails(input)).toBe(expected);
  });

  it('leaves text without addresses alone', () => {
    for (const text of [
      '421 4.7.0 too many connections',
      'connect ECONNREFUSED 127.0.0.1:2525',
      'a lone @ sign',
      'deferred until 2026-11-23T10:00:00.000Z: quiet hours',
      '',
    ]) {
      expect(redactEmails(text)).toBe(text);
    }
  });
});
