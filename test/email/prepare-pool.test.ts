// Render threads (email/prepare-pool.ts): a batch prepared on a thread is the
// same message, byte for byte but for its Date and boundary, as one prepared on
// the caller's thread, and a failure is reported per message, not lost.
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildRenderContext, consentLinks, SAMPLE_CONTACT } from '../../email/context';
import type { PrepareBatch, Prepared } from '../../email/prepare';
import { createPreparer, inlinePreparer } from '../../email/prepare-pool';
import { readTemplateFiles } from '../../email/template-files';

const file = readTemplateFiles().find((t) => t.key === 'newsletter')!;
const template = { key: 'newsletter-threads', version: 1, subject: file.meta.subject, preheader: file.meta.preheader, mjml: file.mjml };
const secret = 'link-secret-0123456789abcdef';
const publicUrl = 'http://rapport.test';

function batch(names: string[]): PrepareBatch {
  return {
    templates: [template],
    catalog: [],
    publicUrl,
    linkSecret: secret,
    jobs: names.map((firstName, i) => {
      const contactId = `00000000-0000-4000-8000-00000000000${i}`;
      const links = consentLinks({ publicUrl, linkSecret: secret }, contactId, 'newsletter');
      const { catalog: _catalog, ...context } = buildRenderContext({
        contact: { ...SAMPLE_CONTACT, firstName, email: `reader${i}@example.com` },
        links,
        category: 'newsletter',
      });
      return {
        template: 0,
        context,
        contactId,
        sendId: `10000000-0000-4000-8000-00000000000${i}`,
        mail: {
          from: 'Rapport <news@rapport.test>',
          to: `reader${i}@example.com`,
          messageId: `<m${i}@rapport.test>`,
          headers: { 'List-Unsubscribe': `<${links.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        },
      };
    }),
  };
}

/** The message without what differs by design between two builds: its Date and MIME boundary. */
const comparable = (p: Prepared) => {
  if (!p.ok || !p.raw) throw new Error(`not prepared: ${JSON.stringify(p)}`);
  const raw = Buffer.from(p.raw).toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(raw)![1]!;
  return { ...p, raw: raw.replace(/^Date: .*$/m, 'Date: -').replaceAll(boundary, 'BOUNDARY') };
};

const threaded = createPreparer(1);
afterAll(() => threaded.close());

describe('render threads', () => {
  it('prepare the same messages as the caller’s thread, personalised and tracked', async () => {
    const names = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `Zoé${i}` : `Reader${i}`));
    const [onThread, inline] = await Promise.all([threaded.prepare(batch(names)), inlinePreparer.prepare(batch(names))]);
    expect(threaded.threads).toBe(1);
    expect(onThread).toHaveLength(60);
    expect(onThread.map(comparable)).toEqual(inline.map(comparable));
    const first = onThread[0]!;
    if (!first.ok || !first.raw) throw new Error('first message not prepared');
    expect(first.envelope).toEqual({ from: 'news@rapport.test', to: ['reader0@example.com'] });
    const mail = await simpleParser(Buffer.from(first.raw));
    expect(mail.subject).toBe('Zoé0, what is new at Rapport');
    expect(mail.html).toContain(`${publicUrl}/t/c/`); // links rewritten to signed click-throughs
    expect(Buffer.from(first.raw).toString('latin1')).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
  });

  it('reports a message that cannot be rendered, and prepares the others', async () => {
    const b = batch(['Ada', 'Grace']);
    b.jobs[1]!.template = 7;
    const out = await threaded.prepare(b);
    expect(out[0]!.ok).toBe(true);
    expect(out[1]).toEqual({ ok: false, name: 'Error', message: 'prepareEmails: no template #7 in the batch' });
  });

  it('lets its threads go after a while without work, and starts them again for the next batch', async () => {
    const lazy = createPreparer(1, { idleMs: 50 });
    try {
      expect(lazy.active).toBe(true);
      await vi.waitFor(() => expect(lazy.active).toBe(false), { timeout: 5_000, interval: 20 });
      const pending = lazy.prepare(batch(['Ada']));
      expect(lazy.active).toBe(true);
      const [out] = await pending;
      expect(out!.ok).toBe(true);
      await vi.waitFor(() => expect(lazy.active).toBe(false), { timeout: 5_000, interval: 20 });
      lazy.warm();
      expect(lazy.active).toBe(true);
    } finally {
      await lazy.close();
    }
    expect(lazy.active).toBe(false);
  });
});
