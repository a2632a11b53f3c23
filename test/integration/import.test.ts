// Bulk contact import through the HTTP API on the real server and PostgreSQL:
// CSV and NDJSON, dry run, atomic, the per-row report, matching and conflicts,
// consent attestation, background jobs and the size limit.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { TEST_API_KEY } from '../support/env';

// Small limits so the background rule and the 413 are reached with small files.
const SYNC_MAX = 100_000;
const MAX = 400_000;

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_import', { serverOverrides: { IMPORT_SYNC_MAX_BYTES: String(SYNC_MAX), IMPORT_MAX_BYTES: String(MAX) } });
  await s.startServer();
});
afterAll(() => s?.close());

interface ImportBody {
  import: {
    id: string;
    status: string;
    written: boolean;
    progress: { rowsProcessed: number; bytesRead: number; totalBytes: number | null; percent: number | null };
    summary: {
      rows: number;
      created: number;
      updated: number;
      unchanged: number;
      failed: number;
      subscribed: number;
      durationMs: number | null;
    };
    errors: { line: number; field: string; reason: string }[];
    errorsOmitted: number;
    notes: { line: number; field: string; note: string }[];
    notesOmitted: number;
    error: string | null;
  };
}

async function post(
  body: string | FormData | ReadableStream<Uint8Array>,
  opts: { type?: string; query?: string; key?: string | null; headers?: Record<string, string> } = {},
) {
  const key = opts.key === undefined ? TEST_API_KEY : opts.key;
  const res = await fetch(`${s.server!.url}/v1/contacts/import${opts.query ?? ''}`, {
    method: 'POST',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(opts.type ? { 'content-type': opts.type } : {}), ...opts.headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: JSON.parse(text) as ImportBody & { error: { code: string; message: string; details: { path: string; message: string }[] } },
  };
}
const csv = (text: string, query = '') => post(text, { type: 'text/csv', query });
const ndjson = (lines: unknown[], query = '') =>
  post(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'), { type: 'application/x-ndjson', query });

/** The contact as GET /v1/contacts answers it, or null. */
async function contact(email: string) {
  const r = await s.api(`/v1/contacts/${encodeURIComponent(email)}?by=email`);
  return r.status === 200 ? r.body.contact : null;
}

describe('authentication', () => {
  it('needs the API key for imports and their jobs', async () => {
    expect((await post('email\na@example.com\n', { type: 'text/csv', key: null })).status).toBe(401);
    expect((await s.api('/v1/contacts/imports/00000000-0000-4000-8000-000000000000', { key: null })).status).toBe(401);
    expect((await s.api('/v1/contacts/imports', { key: 'wrong-key' })).status).toBe(401);
  });
});

describe('CSV', () => {
  it('creates contacts from the documented columns, and reports each bad row with its line and field', async () => {
    const file = [
      'Email,externalId,firstName,lastName,company,phone,timeZone,locale,currency,tags,attributes.plan,marketingConsent',
      'Ada@Example.com,crm-ada,Ada,Lovelace,Engines,+44 20 7946 0000,Europe/London,en-GB,GBP,vip | math,pro,yes',
      'not-an-email,,Bad,,,,,,,,,',
      'tz@example.com,,,,,,Mars/Olympus,,,,,',
      'short@example.com,too,few',
      '"quoted, name@example.com",,,,,,,,,,,',
      'grace@example.com,crm-grace,Grace,Hopper,,,,,usd,,,',
      'alan@example.com,,"Alan ""the"" Turing",,,,,,,,free,no',
    ].join('\r\n');
    const r = await csv(file);
    expect(r.status).toBe(200);
    expect(r.body.import).toMatchObject({ status: 'completed', written: true, error: null });
    expect(r.body.import.summary).toMatchObject({ rows: 7, created: 2, updated: 0, unchanged: 0, failed: 5, subscribed: 0 });
    expect(r.body.import.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'email'],
      [4, 'timeZone'],
      [5, '(row)'],
      [6, 'email'],
      [7, 'currency'],
    ]);
    expect(r.body.import.errors[2]!.reason).toBe('has 3 cells; the header has 12');
    expect(r.body.import.progress).toMatchObject({ rowsProcessed: 7, percent: 100 });

    const ada = await contact('ada@example.com');
    expect(ada).toMatchObject({
      externalId: 'crm-ada',
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Engines',
      phone: '+44 20 7946 0000',
      timeZone: 'Europe/London',
      locale: 'en-GB',
      currency: 'GBP',
      tags: ['vip', 'math'],
      attributes: { plan: 'pro' },
      marketingConsent: true,
      subscriptions: {},
    });
    expect(await contact('alan@example.com')).toMatchObject({
      firstName: 'Alan "the" Turing',
      marketingConsent: false,
      attributes: { plan: 'free' },
    });
    expect(await contact('grace@example.com')).toBeNull();
  });

  it('refuses a file whose header names an unknown column, naming it', async () => {
    const r = await csv('email,favouriteDrink\nx@example.com,tea\n');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_file');
    expect(r.body.error.details).toEqual([{ path: 'favouriteDrink', message: expect.stringContaining('line 1: unknown column') }]);
    expect(await contact('x@example.com')).toBeNull();
    expect((await csv('firstName\nAda\n')).body.error.details[0]!.path).toBe('email');
  });

  it('applies duplicate rows in file order: the last value of each field wins', async () => {
    const r = await csv('email,firstName,company\ndup@example.com,First,Acme\ndup@example.com,Second,\nDUP@example.com,,\n');
    expect(r.body.import.summary).toMatchObject({ rows: 3, created: 1, updated: 1, unchanged: 1, failed: 0 });
    expect(await contact('dup@example.com')).toMatchObject({ firstName: 'Second', company: 'Acme' });
  });
});

describe('NDJSON', () => {
  it('takes the POST /v1/contacts body per line, typed attributes included', async () => {
    const r = await ndjson([
      { email: 'nd1@example.com', externalId: 'nd-1', attributes: { age: 36, vip: true, drink: 'tea' }, tags: ['a'] },
      '{"email": "nd2@example.com"',
      '[1, 2]',
      '',
      { email: 'nd2@example.com', timeZone: 'Asia/Tokyo' },
      { email: 'nd3@example.com', phone: 'call me' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.import.summary).toMatchObject({ rows: 5, created: 2, failed: 3 });
    expect(r.body.import.errors.map((e) => [e.line, e.field])).toEqual([
      [2, '(line)'],
      [3, '(line)'],
      [6, 'phone'],
    ]);
    expect(await contact('nd1@example.com')).toMatchObject({ attributes: { age: 36, vip: true, drink: 'tea' }, tags: ['a'] });
    // A null attribute removes it, as in POST /v1/contacts.
    const again = await ndjson([{ email: 'nd1@example.com', attributes: { drink: null, age: 37 } }]);
    expect(again.body.import.summary).toMatchObject({ updated: 1 });
    expect((await contact('nd1@example.com')).attributes).toEqual({ age: 37, vip: true });
  });
});

describe('matching existing contacts', () => {
  it('matches by externalId, else by email, like POST /v1/contacts, and counts rows that change nothing', async () => {
    const byExt = await s.api('/v1/contacts', { body: { email: 'old@example.com', externalId: 'm-1', firstName: 'Old' } });
    const byEmail = await s.api('/v1/contacts', { body: { email: 'plain@example.com', company: 'Before' } });
    const same = await s.api('/v1/contacts', { body: { email: 'same@example.com', firstName: 'Same' } });
    const r = await csv(
      'email,externalId,firstName,company\nnew@example.com,m-1,,\nplain@example.com,m-2,,After\nsame@example.com,,Same,\n',
    );
    expect(r.body.import.summary).toMatchObject({ rows: 3, created: 0, updated: 2, unchanged: 1, failed: 0 });
    // The externalId match moved the contact to its new address.
    expect(await contact('old@example.com')).toBeNull();
    expect(await contact('new@example.com')).toMatchObject({ id: byExt.body.contact.id, firstName: 'Old', externalId: 'm-1' });
    expect(await contact('plain@example.com')).toMatchObject({ id: byEmail.body.contact.id, externalId: 'm-2', company: 'After' });
    expect((await contact('same@example.com')).updatedAt).toBe(same.body.contact.updatedAt);
  });

  it('moves addresses from contact to contact in one file, in file order', async () => {
    // Each pair: row 1 moves contact A to a fresh address, row 2 gives A's old address to contact B.
    // One multi-row UPDATE may meet these in the wrong order; the chunk is then replayed row by row.
    const pairs = 20;
    const ids: string[][] = [];
    for (let i = 0; i < pairs; i++) {
      const a = await s.api('/v1/contacts', { body: { email: `chain-a${i}@example.com`, externalId: `chain-a${i}` } });
      const b = await s.api('/v1/contacts', { body: { email: `chain-b${i}@example.com`, externalId: `chain-b${i}` } });
      ids.push([a.body.contact.id, b.body.contact.id]);
    }
    const lines = ['email,externalId'];
    for (let i = 0; i < pairs; i++) lines.push(`chain-new${i}@example.com,chain-a${i}`, `chain-a${i}@example.com,chain-b${i}`);
    const r = await csv(`${lines.join('\n')}\n`);
    expect(r.body.import.summary).toMatchObject({ rows: 2 * pairs, updated: 2 * pairs, failed: 0 });
    for (let i = 0; i < pairs; i++) {
      expect((await contact(`chain-new${i}@example.com`)).id).toBe(ids[i]![0]);
      expect((await contact(`chain-a${i}@example.com`)).id).toBe(ids[i]![1]);
      expect(await contact(`chain-b${i}@example.com`)).toBeNull();
    }
  });

  it('updates, not duplicates, a contact another writer creates while the import runs', async () => {
    // Another transaction inserts the address and holds it uncommitted: the import's INSERT waits on it,
    // then meets the unique violation when it commits, and replays its chunk row by row.
    const other = new pg.Client({ connectionString: s.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO contacts (id, email, first_name, updated_at) VALUES (gen_random_uuid(), 'race@example.com', 'Other', now())`,
      );
      const running = csv('email,company\nrace-free@example.com,Free\nrace@example.com,Imported\n');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const waiting = await s.tdb.db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        if (waiting[0]!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the import never waited on the uncommitted insert');
        await new Promise((res) => setTimeout(res, 20));
      }
      await other.query('COMMIT');
      const r = await running;
      expect(r.body.import.summary).toMatchObject({ rows: 2, created: 1, updated: 1, failed: 0 });
      expect(await contact('race@example.com')).toMatchObject({ firstName: 'Other', company: 'Imported' });
      expect(await contact('race-free@example.com')).toMatchObject({ company: 'Free' });
    } finally {
      await other.end();
    }
  });

  it('refuses, as a row error, a row whose email and externalId name two different contacts', async () => {
    await s.api('/v1/contacts', { body: { email: 'one@example.com', externalId: 'c-1' } });
    await s.api('/v1/contacts', { body: { email: 'two@example.com', externalId: 'c-2' } });
    const r = await ndjson([
      { email: 'two@example.com', externalId: 'c-1', firstName: 'Merged?' },
      { email: 'one@example.com', externalId: 'c-3' },
      { email: 'fine@example.com', externalId: 'c-4' },
    ]);
    expect(r.body.import.summary).toMatchObject({ rows: 3, created: 1, failed: 2 });
    expect(r.body.import.errors).toEqual([
      { line: 1, field: 'email', reason: 'email belongs to a different contact than externalId; merge them or change one' },
      { line: 2, field: 'externalId', reason: 'this email already belongs to a contact with another externalId' },
    ]);
    expect(await contact('two@example.com')).toMatchObject({ externalId: 'c-2', firstName: null });
    expect(await contact('one@example.com')).toMatchObject({ externalId: 'c-1' });
  });
});

describe('dry run and atomic imports', () => {
  const file = 'email,firstName\ndry1@example.com,A\ndry2@example.com,B\nbroken,C\ndry1@example.com,A2\n';

  it('a dry run reports what the import would do and writes no contact', async () => {
    const dry = await csv(file, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body.import).toMatchObject({ status: 'completed', dryRun: true, written: false });
    expect(dry.body.import.summary).toMatchObject({ rows: 4, created: 2, updated: 1, failed: 1 });
    expect(await contact('dry1@example.com')).toBeNull();
    expect(await s.tdb.db.contact.count({ where: { email: { startsWith: 'dry' } } })).toBe(0);
    const real = await csv(file);
    expect(real.body.import.summary).toEqual({ ...dry.body.import.summary, durationMs: expect.any(Number) });
    expect(real.body.import.errors).toEqual(dry.body.import.errors);
    expect(await contact('dry1@example.com')).toMatchObject({ firstName: 'A2' });
  });

  it('an atomic import with a bad row writes nothing; without one it writes everything', async () => {
    const rejected = await csv('email\natomic1@example.com\nnope\n', '?atomic=true');
    expect(rejected.body.import).toMatchObject({ status: 'rejected', atomic: true, written: false });
    expect(rejected.body.import.errors).toEqual([{ line: 3, field: 'email', reason: 'must be a valid email address' }]);
    expect(await contact('atomic1@example.com')).toBeNull();
    const done = await csv('email\natomic1@example.com\natomic2@example.com\n', '?atomic=1');
    expect(done.body.import).toMatchObject({ status: 'completed', written: true });
    expect(await contact('atomic2@example.com')).not.toBeNull();
  });

  it('names a bad query parameter and refuses formats it does not read', async () => {
    const bad = await csv('email\nq@example.com\n', '?dryRun=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]!.path).toBe('query.dryRun');
    const json = await post('{"email":"j@example.com"}', { type: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body.error).toMatchObject({ code: 'unsupported_media_type', details: [{ path: 'content-type' }] });
  });
});

describe('consent attestation', () => {
  const attestation = {
    source: 'Webinar sign-up form, 2025',
    obtainedAt: '2025-03-01T10:00:00Z',
    categories: ['newsletter'],
    attestedBy: 'Marketing (Jane)',
  };
  const form = (consent: unknown, file: string, name = 'list.csv', type = 'text/csv') => {
    const fd = new FormData();
    if (consent !== undefined) fd.append('consent', typeof consent === 'string' ? consent : JSON.stringify(consent));
    fd.append('file', new Blob([file], { type }), name);
    return post(fd);
  };

  it('without an attestation, an import never changes subscriptions', async () => {
    await s.api('/v1/events', {
      body: {
        id: 'unsub-keep',
        type: 'email_unsubscribed',
        contact: { email: 'keep@example.com' },
        properties: { category: 'newsletter' },
      },
    });
    const r = await csv('email,firstName,marketingConsent\nkeep@example.com,Keep,true\nfresh@example.com,Fresh,true\n');
    expect(r.body.import.summary).toMatchObject({ subscribed: 0, failed: 0 });
    expect((await contact('keep@example.com')).subscriptions).toEqual({ newsletter: 'unsubscribed' });
    expect((await contact('fresh@example.com')).subscriptions).toEqual({});
  });

  it('subscribes without double opt-in and records who attested, where and when, on each contact', async () => {
    const pending = await s.api('/v1/contacts', { body: { email: 'att2@example.com' } });
    await s.tdb.db.contact.update({ where: { id: pending.body.contact.id }, data: { subscriptions: { newsletter: 'pending' } } });
    const r = await form(attestation, 'email,firstName\natt1@example.com,One\natt2@example.com,Two\n');
    expect(r.status).toBe(200);
    expect(r.body.import).toMatchObject({ status: 'completed', consent: { ...attestation, obtainedAt: '2025-03-01T10:00:00.000Z' } });
    expect(r.body.import.summary).toMatchObject({ created: 1, updated: 1, subscribed: 2 });
    for (const email of ['att1@example.com', 'att2@example.com']) {
      expect(await contact(email)).toMatchObject({ subscriptions: { newsletter: 'subscribed' }, marketingConsent: true });
      const c = await s.api(`/v1/contacts/${email}/consents?by=email`);
      expect(c.status).toBe(200);
      expect(c.body.consentUpdatedAt).not.toBeNull();
      expect(c.body.records).toEqual([
        {
          id: expect.any(String),
          categories: ['newsletter'],
          source: attestation.source,
          obtainedAt: '2025-03-01T10:00:00.000Z',
          attestedBy: attestation.attestedBy,
          importId: r.body.import.id,
          recordedAt: expect.any(String),
        },
      ]);
    }
    // Importing the same list again changes nothing and records nothing new.
    const again = await form(attestation, 'email,firstName\natt1@example.com,One\n');
    expect(again.body.import.summary).toMatchObject({ unchanged: 1, subscribed: 0 });
    expect((await s.api('/v1/contacts/att1@example.com/consents?by=email')).body.records).toHaveLength(1);
  });

  it('never resubscribes a contact who unsubscribed, was suppressed or says no: a note per row', async () => {
    await s.api('/v1/events', {
      body: { id: 'unsub-1', type: 'email_unsubscribed', contact: { email: 'gone@example.com' }, properties: { category: 'newsletter' } },
    });
    await s.api('/v1/events', { body: { id: 'unsub-all', type: 'email_unsubscribed', contact: { email: 'allgone@example.com' } } });
    await s.api('/v1/events', {
      body: { id: 'bounce-1', type: 'email_bounced', contact: { email: 'bounced@example.com' }, properties: { bounceType: 'hard' } },
    });
    const r = await form(
      attestation,
      [
        { email: 'gone@example.com' },
        { email: 'allgone@example.com' },
        { email: 'bounced@example.com' },
        { email: 'no@example.com', marketingConsent: false },
        { email: 'yes@example.com' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
      'list.ndjson',
      'application/x-ndjson',
    );
    expect(r.status).toBe(200);
    expect(r.body.import.summary).toMatchObject({ rows: 5, failed: 0, subscribed: 1 });
    expect(r.body.import.notes).toEqual([
      { line: 1, field: 'consent', note: 'not subscribed to newsletter: the contact unsubscribed' },
      { line: 2, field: 'consent', note: 'not subscribed to newsletter: the contact unsubscribed from all marketing email' },
      { line: 3, field: 'consent', note: 'not subscribed to newsletter: the address is suppressed (hard_bounce)' },
      { line: 4, field: 'marketingConsent', note: 'not subscribed: the row says marketingConsent false' },
    ]);
    expect((await contact('gone@example.com')).subscriptions).toEqual({ newsletter: 'unsubscribed' });
    expect((await contact('allgone@example.com')).subscriptions).toEqual({ '*': 'unsubscribed' });
    expect((await contact('bounced@example.com')).subscriptions).toEqual({});
    expect((await contact('yes@example.com')).subscriptions).toEqual({ newsletter: 'subscribed' });
    expect((await s.api('/v1/contacts/gone@example.com/consents?by=email')).body.records).toEqual([]);
  });

  it('names the bad field of an attestation', async () => {
    const future = await form({ ...attestation, obtainedAt: '2999-01-01' }, 'email\nf@example.com\n');
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([{ path: 'consent.obtainedAt', message: 'must not be in the future' }]);
    const cat = await form({ ...attestation, categories: ['transactional'] }, 'email\nf@example.com\n');
    expect(cat.body.error.details[0]!.path).toBe('consent.categories.0');
    expect((await form('{not json', 'email\nf@example.com\n')).body.error.details[0]!.path).toBe('consent');
    expect(await contact('f@example.com')).toBeNull();
  });
});

describe('imports write no events', () => {
  it('starts no journeys and records no attribute changes', async () => {
    await csv('email,attributes.plan\nquiet@example.com,pro\n');
    const c = await contact('quiet@example.com');
    expect(await s.tdb.db.event.count({ where: { contactId: c.id } })).toBe(0);
  });
});

describe('background jobs', () => {
  it('runs a file larger than the synchronous limit as a job whose progress and report can be polled', async () => {
    const rows = 6_000; // ~ 3 chunks, over SYNC_MAX bytes
    const lines = ['email,externalId,firstName'];
    for (let i = 0; i < rows; i++) lines.push(`bg${i}@example.com,bg-${i},Reader ${i}`);
    lines.push('bad-row,,');
    const body = `${lines.join('\n')}\n`;
    expect(body.length).toBeGreaterThan(SYNC_MAX);
    const r = await csv(body);
    expect(r.status).toBe(202);
    expect(r.location).toBe(`/v1/contacts/imports/${r.body.import.id}`);
    expect(r.body.import).toMatchObject({ status: 'queued', progress: { rowsProcessed: 0, totalBytes: Buffer.byteLength(body) } });

    const seen: number[] = [];
    const deadline = Date.now() + 60_000;
    let job = r.body.import;
    while (job.status === 'queued' || job.status === 'running') {
      if (Date.now() > deadline) throw new Error(`import still ${job.status} after 60 s`);
      await new Promise((res) => setTimeout(res, 20));
      job = (await s.api(r.location!)).body.import;
      seen.push(job.progress.rowsProcessed);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress never goes back
    expect(job).toMatchObject({ status: 'completed', written: true, progress: { rowsProcessed: rows + 1, percent: 100 } });
    expect(job.summary).toMatchObject({ rows: rows + 1, created: rows, failed: 1 });
    expect(job.errors).toEqual([{ line: rows + 2, field: 'email', reason: 'must be a valid email address' }]);
    expect(await contact(`bg${rows - 1}@example.com`)).toMatchObject({ externalId: `bg-${rows - 1}` });
    const list = await s.api('/v1/contacts/imports?limit=5');
    expect(list.body.imports.map((i: { id: string }) => i.id)).toContain(job.id);
    expect((await s.api('/v1/contacts/imports/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await s.api('/v1/contacts/imports/nope')).body.error.details[0]!.path).toBe('id');
  });

  it('runs small files in the background on request (Prefer: respond-async)', async () => {
    const r = await post('email\npref@example.com\n', { type: 'text/csv', headers: { prefer: 'respond-async' } });
    expect(r.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let job = r.body.import;
    while (job.status !== 'completed') {
      if (Date.now() > deadline) throw new Error(`import still ${job.status}`);
      await new Promise((res) => setTimeout(res, 20));
      job = (await s.api(r.location!)).body.import;
    }
    expect(job.summary.created).toBe(1);
  });
});

describe('size limit', () => {
  const big = (bytes: number) => `email\n${'x'.repeat(bytes)}@example.com\n`;

  it('answers 413 for a body over IMPORT_MAX_BYTES, declared or streamed, and imports nothing', async () => {
    const declared = await csv(big(MAX + 10));
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('too_large');
    // Chunked (no Content-Length): refused once the limit is crossed, before any row is written.
    const before = await s.tdb.db.contactImport.count();
    const chunks = [`email\nstreamed@example.com\n`, ...Array.from({ length: 50 }, () => `${'y'.repeat(9_990)}@example.com\n`)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const streamed = await post(stream, { type: 'text/csv' });
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.details[0]!.path).toBe('(body)');
    expect(await contact('streamed@example.com')).toBeNull();
    expect(await s.tdb.db.contactImport.count()).toBe(before);
  });
});
