import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../email/render';
import { readTemplateFiles } from '../../email/template-files';

const contact = { firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', email: 'ada@example.com', locale: 'en', currency: 'USD', timeZone: 'Europe/London' };

describe('email rendering', () => {
  // Every shipped template is rendered and validated in test/email/templates.test.ts.

  it('falls back when the first name is missing', async () => {
    const t = readTemplateFiles().find((f) => f.key === 'welcome')!;
    const r = await renderEmail({ key: 'welcome', version: 1, subject: t.meta.subject, mjml: t.mjml }, { contact: { firstName: '  ' }, unsubscribeUrl: 'x' });
    expect(r.subject).toBe('Welcome to Rapport, friend!');
  });

  it('escapes contact data in HTML', async () => {
    const r = await renderEmail(
      { key: 'x', version: 1, subject: 'Hi', mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>{{contact.company}}</mj-text></mj-column></mj-section></mj-body></mjml>' },
      { contact: { company: '<script>alert(1)</script>' } },
    );
    expect(r.html).not.toContain('<script>alert(1)</script>');
    expect(r.html).toContain('&lt;script&gt;');
  });

  it('reports MJML errors', async () => {
    await expect(
      renderEmail({ key: 'bad', version: 1, subject: 'x', mjml: '<mjml><mj-body><mj-section><mj-text>no column</mj-text></mj-section></mj-body></mjml>' }, {}),
    ).rejects.toThrowError(/MJML errors/);
  });
});
