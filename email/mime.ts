// The MIME message of a newsletter send, built here rather than by nodemailer's
// composer, because its encoding is most of a bulk send's CPU: nodemailer
// quoted-printable-encodes any text part with a line over 76 characters, and
// MJML's HTML has many. RFC 5322 allows lines of up to 998 octets in 7bit, so
// an ASCII part within that goes out as written (CRLF line ends only); any
// other part is quoted-printable as before. Non-ASCII characters of the HTML
// part become character references (the same document), so that it fits too. The header block is still
// nodemailer's (MimeNode: address and encoded-word rules, folding), and the
// message is handed to the pooled transport as `raw` with its envelope.
import addressparser from 'nodemailer/lib/addressparser';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

export interface MimeMessage {
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  messageId: string;
  date?: Date;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, ...). */
  headers?: Record<string, string>;
  text: string;
  html: string;
}

export interface RawMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/** RFC 5322's line limit, without the CRLF. */
const MAX_7BIT_LINE = 998;
const ASCII_ONLY = /^[\x01-\x7f]*$/;

/** Whether CRLF-terminated text may be sent unencoded: ASCII, no NUL, no line over 998 octets. */
export function fitsSevenBit(crlf: string): boolean {
  if (!ASCII_ONLY.test(crlf)) return false;
  for (let i = 0; i <= crlf.length;) {
    const j = crlf.indexOf('\r\n', i);
    const end = j < 0 ? crlf.length : j;
    if (end - i > MAX_7BIT_LINE) return false;
    if (j < 0) break;
    i = j + 2;
  }
  return true;
}

const NON_ASCII = /[^\x00-\x7f]/u;
const NON_ASCII_ALL = /[^\x00-\x7f]/gu;
const RAW_TEXT_ELEMENT = /<(style|script)\b[\s\S]*?<\/\1\s*>/gi;

/**
 * HTML with every non-ASCII character as a character reference (`·` as
 * `&#183;`), the same document to a reader, so that a newsletter with a few
 * accents or a `·` still fits 7bit. Not inside <style> or <script>, where
 * references are not decoded: such HTML is returned as it was.
 */
export function asciiHtml(html: string): string {
  if (!NON_ASCII.test(html)) return html;
  let out = '';
  let last = 0;
  for (const m of html.matchAll(RAW_TEXT_ELEMENT)) {
    if (NON_ASCII.test(m[0])) return html;
    out += html.slice(last, m.index).replace(NON_ASCII_ALL, (ch) => `&#${ch.codePointAt(0)};`) + m[0];
    last = m.index + m[0].length;
  }
  return out + html.slice(last).replace(NON_ASCII_ALL, (ch) => `&#${ch.codePointAt(0)};`);
}

function part(type: string, body: string): string {
  const crlf = (type === 'text/html' ? asciiHtml(body) : body).replace(/\r\n|\r|\n/g, '\r\n');
  if (fitsSevenBit(crlf)) return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}`;
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qpWrap(qpEncode(crlf), 76)}`;
}

const envelopeFrom = new Map<string, string | null>();

/** The bare address of a From header value (cached: a broadcast has one or two). */
function addressOf(from: string): string | null {
  let a = envelopeFrom.get(from);
  if (a === undefined) {
    const first = addressparser(from, { flatten: true })[0];
    a = first?.address ? first.address : null;
    if (envelopeFrom.size > 100) envelopeFrom.clear();
    envelopeFrom.set(from, a);
  }
  return a;
}

/**
 * The whole message and its envelope, or null when an address needs what only
 * nodemailer's own path does (non-ASCII addresses: punycode, SMTPUTF8); the
 * caller then sends the same fields through `sendMail` as usual.
 */
export function buildMime(m: MimeMessage): RawMail | null {
  const from = addressOf(m.from);
  if (!from || !ASCII_ONLY.test(from) || !ASCII_ONLY.test(m.to)) return null;
  const root = new MimeNode('multipart/alternative');
  if (m.date) root.date = m.date;
  root.setHeader({
    From: m.from,
    To: m.to,
    ...(m.replyTo ? { 'Reply-To': m.replyTo } : {}),
    Subject: m.subject,
    'Message-ID': m.messageId,
    ...m.headers,
  });
  const head = root.buildHeaders();
  const boundary = String(root.boundary);
  const parts = [...(m.text ? [part('text/plain', m.text)] : []), part('text/html', m.html)];
  const raw = `${head}\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`;
  return { envelope: { from, to: [m.to] }, raw: Buffer.from(raw, 'utf8') };
}
