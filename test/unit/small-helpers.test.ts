// The small shared helpers: bounded caches, mail domains, durations.
import { describe, expect, it } from 'vitest';
import { durationMs, offsetMs } from '../../journeys/duration';
import { BoundedCache, clearAllCaches } from '../../lib/bounded-cache';
import { addressDomain, senderDomain } from '../../lib/mail-domain';

describe('BoundedCache', () => {
  it('drops the least recently used entry past its bound', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });

  it('is emptied by clearAllCaches', () => {
    const c = new BoundedCache<string, number>(5);
    c.set('a', 1);
    clearAllCaches();
    expect(c.size).toBe(0);
  });
});

describe('mail domains', () => {
  it('reads the domain of a recipient, lower-case, and of a From header', () => {
    expect(addressDomain('Ada@Example.COM ')).toBe('example.com');
    expect(senderDomain('Rapport <hello@news.example>')).toBe('news.example');
    expect(senderDomain('no address')).toBe('rapport.localhost');
  });
});

describe('durations', () => {
  it('turns a definition duration into milliseconds, and a trigger offset with its sign', () => {
    expect(durationMs('1d12h')).toBe(36 * 3_600_000);
    expect(offsetMs('-1d')).toBe(-86_400_000);
    expect(offsetMs('0d')).toBe(0);
  });
});
