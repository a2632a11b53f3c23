// A newsletter chunk's messages made ready to send: each recipient's email
// rendered (compiled template), tracked, and built as MIME. Pure CPU and no
// I/O, so that it can run on render threads (email/prepare-pool.ts) while the
// activity's thread does the database and SMTP work; the same function runs
// on the activity's thread when there are no render threads.
import type { CatalogProduct } from './helpers';
import { buildMime } from './mime';
import { renderEmail, type TemplateSource } from './render';
import { addTracking } from './tracking';

export interface PrepareJob {
  /** Index into the batch's `templates`. */
  template: number;
  /** The render context without its catalogue (email/context.ts buildRenderContext; the batch carries it once). */
  context: Record<string, unknown>;
  contactId: string;
  sendId: string;
  mail: {
    from: string;
    to: string;
    replyTo?: string | null;
    messageId: string;
    headers: Record<string, string>;
  };
}

export interface PrepareBatch {
  templates: TemplateSource[];
  catalog: CatalogProduct[];
  publicUrl: string;
  linkSecret: string;
  jobs: PrepareJob[];
}

export type Prepared =
  | {
      ok: true;
      subject: string;
      html: string;
      text: string;
      /** The whole message for `to` (null: it needs nodemailer's own composer, e.g. a non-ASCII address). */
      raw: Uint8Array | null;
      envelope: { from: string; to: string[] } | null;
    }
  | { ok: false; name: string; message: string };

export async function prepareEmails(batch: PrepareBatch): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const job of batch.jobs) {
    try {
      const t = batch.templates[job.template];
      if (!t) throw new Error(`prepareEmails: no template #${job.template} in the batch`);
      const rendered = await renderEmail(t, { ...job.context, catalog: batch.catalog });
      const html = addTracking(rendered.html, {
        publicUrl: batch.publicUrl,
        linkSecret: batch.linkSecret,
        contactId: job.contactId,
        sendId: job.sendId,
      });
      const mime = buildMime({ ...job.mail, subject: rendered.subject, html, text: rendered.text });
      out.push({
        ok: true,
        subject: rendered.subject,
        html,
        text: rendered.text,
        raw: mime?.raw ?? null,
        envelope: mime?.envelope ?? null,
      });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      out.push({ ok: false, name: e.name, message: e.message });
    }
  }
  return out;
}
