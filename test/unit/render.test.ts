import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../email/render';
import { readTemplateFiles } from '../../email/template-files';

describe('email rendering', () => {
  // Every shipped template is rendered and validated in test/email/templates.test.ts.

  it('falls back when the first name is missing', async () => {
    const t = readTemplateFiles().find((f) => f.key === 'welcome')!;
    const r = await renderEmail(
      { key: 'welcome', version: 1, subject: t.meta.subject, mjml: t.mjml },
      { contact: { firstName: '  ' }, unsubscribeUrl: 'x' },
    );
    expect(r.subject).toBe('Welcome to Rapport, friend!');
  });

  it('escapes contact data in HTML', async () => {
    const r = await renderEmail(
      {
        key: 'x',
        version: 1,
        subject: 'Hi',
        mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>{{contact.company}}</mj-text></mj-column></mj-section></mj-body></mjml>',
      },
      { contact: { company: '<script>alert(1)</script>' } },
    );
    expect(r.html).not.toContain('<script>alert(1)</script>');
    expect(r.html).toContain('&lt;script&gt;');
  });

  it('reports MJML errors', async () => {
    await expect(
      renderEmail(
        {
          key: 'bad',
          version: 1,
          subject: 'x',
          mjml: '<mjml><mj-body><mj-section><mj-text>no column</mj-text></mj-section></mj-body></mjml>',
        },
        {},
      ),
    ).rejects.toThrowError(/MJML errors/);
  });
});

describe('unsafe link schemes from template data', () => {
  const mjml =
    '<mjml><mj-body><mj-section><mj-column>' +
    '<mj-button href="{{data.url}}">Go</mj-button><mj-text><a href="{{data.url}}">text</a> <a title="x" href=\'{{data.url}}\'>q</a></mj-text>' +
    '<mj-image src="{{data.url}}" href="https://example.com/ok" />' +
    '</mj-column></mj-section></mj-body></mjml>';
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' java\tscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
  ])('%j never survives into an href or src', async (url) => {
    const r = await renderEmail({ key: 'links', version: 1, subject: 'Hi', mjml }, { data: { url } });
    const values = [...r.html.matchAll(/\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => m[1] ?? m[2] ?? '');
    expect(values.length).toBeGreaterThanOrEqual(4);
    for (const v of values) expect(v.replace(/[\s\u0000-\u001f]|&#?\w+;/g, '')).not.toMatch(/^(javascript|vbscript|data):/i);
    expect(values.filter((v) => v === '#').length).toBeGreaterThanOrEqual(4);
    expect(values).toContain('https://example.com/ok');
  });

  it('keeps http(s), mailto and relative links', async () => {
    for (const url of ['https://shop.example/p?a=1&b=2', 'mailto:hi@example.com', '/path']) {
      const r = await renderEmail({ key: 'links', version: 1, subject: 'Hi', mjml }, { data: { url } });
      expect(r.html).not.toContain('href="#"');
    }
  });
});
