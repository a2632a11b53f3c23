// Measures what rendering one email per recipient costs, three ways:
//   mjml-each   MJML compiled for every recipient (what compile-once avoids)
//   compiled    the cached, compiled Handlebars only (HTML + subject)
//   full        renderEmail as sends use it: compiled Handlebars + plain-text part
// Run: npx tsx bench/render.ts [recipients]   (reports ms per email and the ratio)
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { buildRenderContext, consentLinks, SAMPLE_CONTACT } from '../email/context';
import { registerHelpers } from '../email/helpers';
import { compiled, renderEmail } from '../email/render';
import { readTemplateFiles } from '../email/template-files';

const n = Number(process.argv[2] ?? 300);
const file = readTemplateFiles().find((t) => t.key === 'newsletter')!;
const mjml = file.mjml; // already assembled with its layout and partials
const source = { key: 'bench', version: 1, subject: file.meta.subject, preheader: file.meta.preheader, mjml };
const ctx = (i: number) =>
  buildRenderContext({
    contact: { ...SAMPLE_CONTACT, firstName: `Reader${i}`, email: `r${i}@example.com` },
    links: consentLinks(
      { publicUrl: 'https://rapport.example', linkSecret: 'bench-secret-0123456789' },
      '00000000-0000-4000-8000-000000000000',
      'newsletter',
    ),
    category: 'newsletter',
  });

const hb = Handlebars.create();
registerHelpers(hb);

async function time(label: string, runs: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(i); // warm up
  const t = performance.now();
  for (let i = 0; i < runs; i++) await fn(i);
  const per = (performance.now() - t) / runs;
  process.stdout.write(`${label.padEnd(12)} ${per.toFixed(4)} ms/email  (${runs} emails)\n`);
  return per;
}

const mjmlEach = await time('mjml-each', Math.max(20, Math.floor(n / 10)), async (i) => {
  const out = await mjml2html(mjml, { validationLevel: 'soft' });
  return hb.compile(out.html)(ctx(i));
});
const c = await compiled(source);
const compiledOnly = await time('compiled', n * 10, (i) => [c.html(ctx(i)), c.subject(ctx(i))]);
const full = await time('full', n, (i) => renderEmail(source, ctx(i)));
process.stdout.write(
  `\ncompile-once vs MJML per recipient: ${(mjmlEach / compiledOnly).toFixed(0)}x faster (HTML only), ${(mjmlEach / full).toFixed(1)}x with the text part\n`,
);
