// Renders an email for one recipient. MJML is compiled to HTML once per
// template version (about 3 ms); per recipient only the compiled Handlebars
// functions run (microseconds). Subject and preheader are Handlebars too, and a
// plain-text part is derived from the HTML.
import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import mjml2html from 'mjml';
import { BoundedCache } from '../lib/bounded-cache';
import { asciiHtmlTemplate } from './mime';
import { neutraliseUnsafeUrls } from './safe-links';
import { registerHelpers } from './helpers';

export interface TemplateSource {
  key: string;
  version: number;
  subject: string;
  preheader?: string | null;
  mjml: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    message: string,
    readonly details: { line?: number; message: string }[] = [],
  ) {
    super(message);
  }
}

type Compiled = {
  subject: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
};

// The plain-text part is derived from the compiled HTML *template* once per
// version (Handlebars expressions pass through html-to-text untouched), so a
// recipient costs two Handlebars runs, not an HTML-to-text conversion (~1 ms).
const TEXT_OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
  ],
};

const hb = Handlebars.create();
registerHelpers(hb);

/** Compiled template versions (compiling MJML costs milliseconds); bounded, since each holds its HTML. */
const cache = new BoundedCache<string, Promise<Compiled>>(500);

async function compile(t: TemplateSource): Promise<Compiled> {
  // The preheader goes in MJML's <mj-preview>; inject it so templates need not.
  const preview = t.preheader ? `<mj-preview>${t.preheader}</mj-preview>` : '';
  const source = !preview
    ? t.mjml
    : /<mj-head>/.test(t.mjml)
      ? t.mjml.replace('<mj-head>', `<mj-head>${preview}`)
      : t.mjml.replace(/<mjml([^>]*)>/, `<mjml$1><mj-head>${preview}</mj-head>`);
  const out = await mjml2html(source, { validationLevel: 'soft', keepComments: false });
  if (out.errors.length > 0) {
    throw new TemplateError(
      `template "${t.key}" v${t.version} has MJML errors`,
      out.errors.map((e) => ({ line: e.line, message: e.message })),
    );
  }
  return {
    subject: hb.compile(t.subject, { noEscape: true, strict: false }),
    // Non-ASCII of the template itself as character references, once: see email/mime.ts.
    html: hb.compile(asciiHtmlTemplate(out.html), { strict: false }),
    text: hb.compile(convert(out.html, TEXT_OPTIONS), { noEscape: true, strict: false }),
  };
}

/** Compiled functions for a template version, cached for the life of the process. */
export function compiled(t: TemplateSource): Promise<Compiled> {
  const k = `${t.key}@${t.version}`;
  let c = cache.get(k);
  if (!c) {
    c = compile(t);
    cache.set(k, c);
    c.catch(() => cache.delete(k));
  }
  return c;
}

export async function renderEmail(t: TemplateSource, data: object): Promise<RenderedEmail> {
  return apply(await compiled(t), data);
}

/** Renders a draft that is not stored (the workspace's live preview): compiled each time, never cached. */
export async function renderDraft(t: TemplateSource, data: object): Promise<RenderedEmail> {
  return apply(await compile(t), data);
}

function apply(c: Compiled, data: object): RenderedEmail {
  const html = neutraliseUnsafeUrls(c.html(data));
  const subject = c.subject(data).replace(/\s+/g, ' ').trim();
  const text = c
    .text(data)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject, html, text };
}
