// Templates without a database: every shipped template renders to HTML and
// text, helpers, layouts and partials, compile-once, validation with lines,
// link tracking and signed tokens.
import { describe, expect, it } from 'vitest';
import { assembleTemplate, type PartialResolver } from '../../email/assemble';
import { buildRenderContext, consentLinks, sampleRenderContext, SAMPLE_CONTACT } from '../../email/context';
import { recommendProducts, type CatalogProduct } from '../../email/helpers';
import { compiled, renderEmail } from '../../email/render';
import { readTemplateFiles } from '../../email/template-files';
import { addTracking, decodeAttribute } from '../../email/tracking';
import { validateTemplate } from '../../email/validate';
import { signToken, verifyToken } from '../../lib/tokens';

const opts = { publicUrl: 'https://rapport.test', linkSecret: 'link-secret-0123456789abcdef' };
const CID = '5f0c7a0e-6f1e-4a8e-9d7b-0c2d6c1e4a11';
const catalog: CatalogProduct[] = [
  { sku: 'a', name: 'Alpha', url: 'https://shop.test/a?x=1&y=2', prices: { USD: 1000, EUR: 900 } },
  { sku: 'b', name: 'Beta', url: 'https://shop.test/b', prices: { USD: 2000 } },
  { sku: 'c', name: 'Gamma', url: 'https://shop.test/c', prices: { USD: 3000, EUR: 2700 } },
];
// Data the internal notices (sales tasks, approvals) and receipts render with.
const extra = {
  task: { reason: 'Visited pricing', dueAt: '2026-12-01T09:00:00Z' },
  approval: { id: 'a1', subject: 'Gold reward for Ada', deadline: '2026-12-01T09:00:00Z' },
  decisionUrl: 'https://rapport.test/a/token',
  apiUrl: 'https://rapport.test/v1/approvals/a1/decision',
};
const order = {
  orderId: 'A-17',
  totalCents: 7800,
  placedAt: '2026-11-20T22:30:00Z',
  items: [{ name: 'Starter kit', quantity: 2, amountCents: 7800 }],
};

function ctx(category: string, contact: Partial<typeof SAMPLE_CONTACT> = {}, purchased: string[] = []) {
  return {
    ...buildRenderContext({
      contact: { ...SAMPLE_CONTACT, ...contact },
      purchasedSkus: purchased,
      catalog,
      links: consentLinks(opts, CID, category),
      category,
      confirmUrl: 'https://rapport.test/confirm/tok',
      data: order,
    }),
    ...extra,
  };
}

describe('shipped templates', () => {
  for (const t of readTemplateFiles()) {
    it(`"${t.key}" (${t.meta.category}) renders HTML and text, and validates`, async () => {
      const r = await renderEmail(
        { key: t.key, version: 1, subject: t.meta.subject, preheader: t.meta.preheader, mjml: t.mjml },
        ctx(t.meta.category),
      );
      expect(r.subject).not.toContain('{{');
      expect(r.html).toMatch(/^<!doctype html>/i);
      expect(r.html).not.toContain('{{');
      expect(r.text.length).toBeGreaterThan(20);
      expect(r.text).not.toContain('{{');
      expect(r.text).not.toMatch(/<(a|div|table|td|p|span|img)\b/i);
      if (t.meta.category === 'transactional') {
        expect(r.html).not.toContain('/u/');
      } else {
        // Marketing email carries the unsubscribe and preference links (layout footer).
        expect(r.html).toContain(consentLinks(opts, CID, t.meta.category).unsubscribeUrl);
        expect(r.text).toContain('Unsubscribe');
      }
      const v = await validateTemplate(
        {
          key: t.key,
          category: t.meta.category,
          subject: t.meta.subject,
          preheader: t.meta.preheader,
          mjml: t.source,
          layout: t.meta.layout,
          from: t.meta.from,
          replyTo: t.meta.replyTo,
        },
        { sample: extra, file: `templates/${t.key}.mjml`, firstLine: t.sourceLine },
      );
      expect(v.issues).toEqual([]);
    });
  }

  it('personalise: first-name fallback, money in the contact currency, dates in the contact time zone', async () => {
    const receipt = readTemplateFiles().find((f) => f.key === 'order-receipt')!;
    const src = { key: 'order-receipt', version: 1, subject: receipt.meta.subject, preheader: receipt.meta.preheader, mjml: receipt.mjml };
    const tokyo = await renderEmail(
      src,
      ctx('transactional', { firstName: null, currency: 'EUR', locale: 'de-DE', timeZone: 'Asia/Tokyo' }),
    );
    expect(tokyo.subject).toBe('Hello, your receipt for order A-17');
    expect(tokyo.text).toMatch(/78,00\s€/);
    // 22:30 UTC on 20 November is 07:30 on 21 November in Tokyo.
    expect(tokyo.text).toContain('21. November 2026');
    expect(tokyo.text).toContain('07:30');
    const london = await renderEmail(
      src,
      ctx('transactional', { firstName: '  Ada ', currency: 'GBP', locale: 'en-GB', timeZone: 'Europe/London' }),
    );
    expect(london.subject).toBe('Ada, your receipt for order A-17');
    expect(london.text).toContain('£78.00');
    expect(london.text).toContain('20 November 2026');
  });

  it('recommends only what the contact has not bought, priced in their currency', async () => {
    expect(recommendProducts(catalog, ['A'], 'EUR', { limit: 5 }).map((p) => [p.sku, p.price])).toEqual([
      ['b', null],
      ['c', 2700],
    ]);
    const news = readTemplateFiles().find((f) => f.key === 'newsletter')!;
    const src = { key: 'newsletter', version: 1, subject: news.meta.subject, preheader: news.meta.preheader, mjml: news.mjml };
    const r = await renderEmail(src, ctx('newsletter', {}, ['a', 'c']));
    expect(r.text).toContain('Beta');
    expect(r.text).not.toContain('Alpha');
    expect(r.text).not.toContain('Gamma');
    expect(r.text).toContain('$20.00');
    const all = await renderEmail(src, ctx('newsletter', {}, ['a', 'b', 'c']));
    expect(all.text).toContain('You already have everything we make');
  });

  it('compiles MJML once per template version; per recipient only Handlebars runs', async () => {
    const t = readTemplateFiles().find((f) => f.key === 'welcome')!;
    const src = { key: 'welcome-cache', version: 7, subject: t.meta.subject, mjml: t.mjml };
    expect(compiled(src)).toBe(compiled(src));
    expect(compiled({ ...src, version: 8 })).not.toBe(compiled(src));
    const t0 = performance.now();
    await compiled({ ...src, version: 9 });
    const first = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 50; i++) await renderEmail({ ...src, version: 9 }, ctx('journeys', { firstName: `N${i}` }));
    const perRecipient = (performance.now() - t1) / 50;
    expect(perRecipient).toBeLessThan(first);
  });
});

describe('layouts and partials', () => {
  const files: Record<string, string> = {
    'layouts/main': '<mjml>\n  <mj-body>\n    {{> body}}\n    {{> foot}}\n  </mj-body>\n</mjml>',
    'partials/foot': '<mj-section>\n  <mj-column>\n    <mj-text>{{contact.nmae}}</mj-text>\n  </mj-column>\n</mj-section>',
  };
  const resolver: PartialResolver = {
    layout: (n) => (files[`layouts/${n}`] ? { text: files[`layouts/${n}`]!, file: `layouts/${n}.mjml`, firstLine: 1 } : null),
    partial: (n) => (files[`partials/${n}`] ? { text: files[`partials/${n}`]!, file: `partials/${n}.mjml`, firstLine: 1 } : null),
  };

  it('assembles a layout, the content and partials, remembering where each line came from', () => {
    const a = assembleTemplate(
      { text: '<mj-section>\n<mj-column><mj-text>Hi</mj-text></mj-column>\n</mj-section>', file: 'mjml', firstLine: 1 },
      'main',
      resolver,
    );
    expect(a.issues).toEqual([]);
    expect(a.mjml).toContain('<mj-text>Hi</mj-text>');
    expect(a.mjml).toContain('{{contact.nmae}}');
    const line = a.mjml.split('\n').findIndex((l) => l.includes('contact.nmae')) + 1;
    expect(a.origins[line - 1]).toEqual({ file: 'partials/foot.mjml', line: 3 });
    const hi = a.mjml.split('\n').findIndex((l) => l.includes('Hi')) + 1;
    expect(a.origins[hi - 1]).toEqual({ file: 'mjml', line: 2 });
  });

  it('reports unknown layouts and partials at their line', () => {
    const a = assembleTemplate({ text: 'x\n{{> nope}}', file: 'mjml', firstLine: 1 }, 'missing', resolver);
    expect(a.issues.map((i) => [i.file, i.line, i.message])).toEqual([
      ['mjml', 1, 'unknown layout "missing" (expected templates/layouts/missing.mjml)'],
      ['mjml', 2, 'unknown partial "nope" (expected templates/partials/nope.mjml)'],
    ]);
  });

  it('validation points into the partial for an error that is there', async () => {
    const v = await validateTemplate(
      {
        key: 'x',
        category: 'transactional',
        subject: 'Hi',
        mjml: '<mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section>',
        layout: 'main',
      },
      { resolver },
    );
    expect(v.issues).toEqual([{ path: 'partials/foot.mjml', line: 3, message: 'unknown variable "contact.nmae"' }]);
  });
});

describe('validation when a template is saved', () => {
  const body = (inner: string) =>
    `<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n${inner}\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>`;

  it('reports unknown variables and helpers with their line, in body, subject and preheader', async () => {
    const v = await validateTemplate({
      key: 'x',
      category: 'journeys',
      subject: 'Hi {{contact.nmae}}',
      preheader: 'For\n{{shout contact.firstName}}',
      mjml: body(
        '<mj-text>{{firstNameOr "you"}} {{contact.attributes.anything}} {{data.coupon}}</mj-text>\n<mj-text>{{contact.nmae}}</mj-text>\n<mj-text>{{#each catalog}}{{name}} {{nope}}{{/each}} <a href="{{unsubscribeUrl}}">u</a></mj-text>',
      ),
    });
    expect(v.issues).toEqual([
      { path: 'subject', line: 1, message: 'unknown variable "contact.nmae"' },
      { path: 'preheader', line: 2, message: 'unknown helper "shout"' },
      { path: 'mjml', line: 6, message: 'unknown variable "contact.nmae"' },
      { path: 'mjml', line: 7, message: 'unknown variable "nope"' },
    ]);
  });

  it('reports MJML errors, Handlebars MJML would drop, and Handlebars syntax errors with their line', async () => {
    const v = await validateTemplate({
      key: 'x',
      category: 'transactional',
      subject: 'Hi',
      mjml: body('<mj-text>ok</mj-text>\n<mj-image src="x" width="wide" />\n<mj-foo>bar</mj-foo>'),
    });
    expect(v.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [6, 'MJML'],
      [7, 'MJML'],
    ]);
    expect(v.issues[1]!.message).toContain('mj-foo');
    const dropped = await validateTemplate({
      key: 'x',
      category: 'transactional',
      subject: 'Hi',
      mjml: '<mjml>\n<mj-body>\n{{#if contact.firstName}}\n<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>\n{{/if}}\n</mj-body>\n</mjml>',
    });
    expect(dropped.issues.map((i) => i.line)).toEqual([3, 5]);
    expect(dropped.issues[0]!.message).toMatch(/outside MJML content/);
    const syntax = await validateTemplate({
      key: 'x',
      category: 'transactional',
      subject: 'Hi',
      mjml: body('<mj-text>{{#if x}}</mj-text>\n<mj-text>{{oops}</mj-text>'),
    });
    expect(syntax.issues[0]).toMatchObject({ path: 'mjml', line: 6 });
    expect(syntax.issues[0]!.message).toMatch(/Handlebars syntax error/);
  });

  it('requires an unsubscribe link in marketing email, at the end of the body', async () => {
    const v = await validateTemplate({ key: 'x', category: 'newsletter', subject: 'Hi', mjml: body('<mj-text>no way out</mj-text>') });
    expect(v.issues).toEqual([{ path: 'mjml', line: 8, message: expect.stringMatching(/must link to \{\{unsubscribeUrl\}\}/) }]);
    const tx = await validateTemplate({ key: 'x', category: 'transactional', subject: 'Hi', mjml: body('<mj-text>receipt</mj-text>') });
    expect(tx.issues).toEqual([]);
    const viaLayout = await validateTemplate({
      key: 'x',
      category: 'newsletter',
      subject: 'Hi',
      layout: 'default',
      mjml: '<mj-section><mj-column><mj-text>hi</mj-text></mj-column></mj-section>',
    });
    expect(viaLayout.issues).toEqual([]);
  });

  it('checks From and Reply-To', async () => {
    const v = await validateTemplate({
      key: 'x',
      category: 'transactional',
      subject: 'Hi',
      mjml: body('<mj-text>x</mj-text>'),
      from: 'not an address',
      replyTo: 'ok@example.com',
    });
    expect(v.issues).toEqual([{ path: 'from', message: 'must be an address like "Name <name@example.com>"' }]);
  });
});

describe('tracking', () => {
  const o = { publicUrl: 'https://rapport.test', linkSecret: opts.linkSecret, contactId: CID, sendId: 'send-1' };

  it('rewrites links to signed click URLs, except consent links, and adds one pixel', async () => {
    const context = sampleRenderContext(opts, 'newsletter');
    const news = readTemplateFiles().find((f) => f.key === 'newsletter')!;
    const r = await renderEmail({ key: 'newsletter', version: 1, subject: news.meta.subject, mjml: news.mjml }, { ...context, catalog });
    const html = addTracking(r.html, o);
    const clicks = [...html.matchAll(/href="https:\/\/rapport\.test\/t\/c\/([^"]+)"/g)].map((m) => verifyToken(opts.linkSecret, m[1]!));
    // The product URL had "&" and "=" escaped by Handlebars: the token carries the real URL.
    expect(clicks.map((p) => p?.u)).toEqual(expect.arrayContaining(['https://rapport.example/blog/branching', 'https://shop.test/b']));
    expect(clicks.every((p) => p?.p === 'click' && p.s === 'send-1' && p.c === CID)).toBe(true);
    expect(html).toContain(`href="${context.unsubscribeUrl}"`);
    expect(html).toContain(`href="${context.preferencesUrl}"`);
    const pixels = [...html.matchAll(/src="https:\/\/rapport\.test\/t\/o\/([^"]+)\.gif"/g)];
    expect(pixels).toHaveLength(1);
    expect(verifyToken(opts.linkSecret, pixels[0]![1]!)).toMatchObject({ p: 'open', s: 'send-1', c: CID });
  });

  it('decodes HTML entities in hrefs and leaves mailto: and anchors alone', () => {
    expect(decodeAttribute('https://x.test/?a&#x3D;1&amp;b=2&#39;')).toBe("https://x.test/?a=1&b=2'");
    const html = addTracking(
      '<html><body><a href="mailto:a@b.c">m</a><a href="#top">t</a><a href="https://x.test/?a&#x3D;1&amp;b=2">x</a></body></html>',
      o,
    );
    expect(html).toContain('href="mailto:a@b.c"');
    expect(html).toContain('href="#top"');
    const tok = /t\/c\/([^"]+)"/.exec(html)![1]!;
    expect(verifyToken(opts.linkSecret, tok)?.u).toBe('https://x.test/?a=1&b=2');
  });

  it('breaks the line after each tracked URL, so that a line of many links stays within 998 octets (7bit)', () => {
    const links = Array.from({ length: 6 }, (_, i) => `<a href="https://x.test/${i}" style="color:#123">link ${i}</a>`).join(' ');
    const html = addTracking(`<html><body><p>${links}</p></body></html>`, o);
    expect(html.match(/\/t\/c\//g)).toHaveLength(6);
    expect(`<p>${links}</p>`.length + 6 * 200).toBeGreaterThan(998); // one line, had the URLs not been followed by a break
    expect(Math.max(...html.split('\n').map((l) => l.length))).toBeLessThanOrEqual(998);
    expect(html).toMatch(/href="https:\/\/rapport\.test\/t\/c\/[^"]+"\n style="color:#123">link 0<\/a>/);
  });

  it('tokens: tampering, purpose and expiry are checked', () => {
    const t = signToken(opts.linkSecret, { p: 'click', c: CID, s: 'send-1', u: 'https://good.test/' });
    const [body, sig] = t.split('.');
    const evil = Buffer.from(JSON.stringify({ p: 'click', c: CID, s: 'send-1', u: 'https://evil.test/' })).toString('base64url');
    expect(verifyToken(opts.linkSecret, `${evil}.${sig}`)).toBeNull();
    expect(verifyToken(opts.linkSecret, `${body}.${sig}x`)).toBeNull();
    const exp = Math.floor(Date.now() / 1000) + 60;
    const confirm = signToken(opts.linkSecret, { p: 'confirm', c: CID, cat: 'newsletter', exp });
    expect(verifyToken(opts.linkSecret, confirm)).toMatchObject({ p: 'confirm' });
    expect(verifyToken(opts.linkSecret, confirm, (exp + 1) * 1000)).toBeNull();
  });
});
