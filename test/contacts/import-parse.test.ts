// The import file readers (contacts/import-parse.ts) and the consent rule
// (contacts/import-consent.ts), without a database.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consentAttestationSchema, subscribeRefusal } from '../../contacts/import-consent';
import { ImportFileError, parseRows, type ImportFormat, type ParsedRow } from '../../contacts/import-parse';

/** Reads `text`, delivered in chunks of `size` bytes (to cross chunk boundaries anywhere). */
async function rows(text: string, format: ImportFormat, size = 7): Promise<ParsedRow[]> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: ParsedRow[] = [];
  for await (const r of parseRows(Readable.from(chunks), format)) out.push(r);
  return out;
}

describe('CSV rows', () => {
  it('maps the documented columns, splits tags on |, keeps attribute names and skips empty cells', async () => {
    const r = await rows(
      '\uFEFFEMAIL,firstname,Tags,attributes.Plan,marketingConsent,company\n' + 'ada@example.com,Ada, vip | math ,pro,Yes,\n',
      'csv',
    );
    expect(r).toEqual([
      {
        line: 2,
        value: { email: 'ada@example.com', firstName: 'Ada', tags: ['vip', 'math'], attributes: { Plan: 'pro' }, marketingConsent: true },
      },
    ]);
  });

  it('numbers lines as in the file: blank lines count, a row spanning lines has its first line', async () => {
    const r = await rows(
      '\nemail,firstName\n\na@example.com,"two\r\nlines"\nb@example.com,B\r\n\nc@example.com,"x\n\ny"\nd@example.com,D',
      'csv',
    );
    expect(r.map((x) => x.line)).toEqual([4, 6, 8, 11]);
    expect(r[0]).toMatchObject({ value: { firstName: 'two\r\nlines' } });
  });

  it('leaves an unknown marketingConsent word as text, so validation names the field', async () => {
    const r = await rows('email,marketingConsent\na@example.com,perhaps\n', 'csv');
    expect(r[0]).toMatchObject({ value: { marketingConsent: 'perhaps' } });
  });

  it('reports a row with the wrong number of cells and goes on', async () => {
    const r = await rows('email,firstName\na@example.com\nb@example.com,B\n', 'csv');
    expect(r).toEqual([
      { line: 2, error: { line: 2, field: '(row)', reason: 'has 1 cells; the header has 2' } },
      { line: 3, value: { email: 'b@example.com', firstName: 'B' } },
    ]);
  });

  it('refuses a header with an unknown, repeated or missing column, and an empty file', async () => {
    for (const [text, field] of [
      ['email,drink\n', 'drink'],
      ['email,Email\n', 'Email'],
      ['firstName\nAda\n', 'email'],
      ['', '(file)'],
    ] as const) {
      const err = await rows(text, 'csv').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, text).toBeInstanceOf(ImportFileError);
      expect((err as ImportFileError).field, text).toBe(field);
    }
  });

  it('stops at a quote that never closes, with its line', async () => {
    const err = await rows('email,firstName\na@example.com,"open\n', 'csv').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).field).toBe('(file)');
  });
});

describe('NDJSON rows', () => {
  it('reads one object per line, CRLF or LF, skipping blank lines, and reports bad lines', async () => {
    const r = await rows('{"email":"a@example.com"}\r\n\r\nnot json\n[1]\n{"email":"b@example.com","attributes":{"n":1}}', 'ndjson', 5);
    expect(r).toEqual([
      { line: 1, value: { email: 'a@example.com' } },
      { line: 3, error: { line: 3, field: '(line)', reason: 'is not valid JSON' } },
      { line: 4, error: { line: 4, field: '(line)', reason: 'must be a JSON object (one contact per line)' } },
      { line: 5, value: { email: 'b@example.com', attributes: { n: 1 } } },
    ]);
  });
});

describe('consent attestation', () => {
  it('accepts a date or date-time in the past, known categories, and names bad fields', () => {
    const ok = consentAttestationSchema.parse({
      source: 'form',
      obtainedAt: '2024-05-01',
      categories: ['newsletter', 'newsletter'],
      attestedBy: 'Jane',
    });
    expect(ok.obtainedAt.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(ok.categories).toEqual(['newsletter']);
    const bad = consentAttestationSchema.safeParse({ source: '', obtainedAt: 'yesterday', categories: [], extra: 1 });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['source', 'obtainedAt', 'categories', 'attestedBy']),
    );
    expect(bad.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('never lifts an unsubscribe, a sunset or a suppression', () => {
    expect(subscribeRefusal({}, [], 'newsletter')).toBeNull();
    expect(subscribeRefusal({ newsletter: 'pending' }, [], 'newsletter')).toBeNull();
    expect(subscribeRefusal({ newsletter: 'unsubscribed' }, [], 'newsletter')).toMatch(/unsubscribed$/);
    expect(subscribeRefusal({ '*': 'unsubscribed' }, [], 'newsletter')).toMatch(/all marketing email/);
    expect(subscribeRefusal({ newsletter: 'sunset' }, [], 'newsletter')).toMatch(/sunset/);
    expect(subscribeRefusal({}, [{ category: '*', reason: 'complaint' }], 'newsletter')).toMatch(/suppressed \(complaint\)/);
    expect(subscribeRefusal({}, [{ category: 'journeys', reason: 'manual' }], 'newsletter')).toBeNull();
  });
});
