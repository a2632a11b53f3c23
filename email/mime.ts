// The MIME message of a newsletter send, built here rather than by nodemailer's
// composer, because its encoding was most of a bulk send's CPU: nodemailer
// quoted-printable-encodes any text part with a line over 76 characters, and
// MJML's HTML has many. RFC 5322 allows lines of up to 998 octets in 7bit, so
// an ASCII part within that goes out as written (CRLF line ends only). The
// HTML part's non-ASCII characters become character references (the same
// document to a reader) so that it fits; any other part is quoted-printable,
// with a one-pass encoder. The header block is still nodemailer's (MimeNode:
// address and encoded-word rules, folding), and the message goes to the
// pooled transport as `raw` with its envelope.
import addressparser from 'nodemailer/lib/addressparser';
import MimeNode from 'nodemailer/lib/mime-node';
import { randomBytes } from 'node:crypto';

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
  if (Buffer.byteLength(html, 'utf8') === html.length) return html; // ASCII: one native pass
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

const HANDLEBARS_EXPRESSION = /\{\{[\s\S]*?\}\}/g;
const MASK = /\u0000(\d+)\u0000/g;

/**
 * asciiHtml over a Handlebars template's HTML, once per template version
 * (email/render.ts), so that per recipient only what the data brings can be
 * non-ASCII. Expressions (`{{firstNameOr "José"}}`) are left as written: their
 * literals are helper arguments, not HTML.
 */
export function asciiHtmlTemplate(template: string): string {
  if (!NON_ASCII.test(template) || template.includes('\u0000')) return template;
  const expressions: string[] = [];
  const masked = template.replace(HANDLEBARS_EXPRESSION, (e) => `\u0000${expressions.push(e) - 1}\u0000`);
  return asciiHtml(masked).replace(MASK, (_, i: string) => expressions[Number(i)]!);
}

/**
 * Quoted-printable (RFC 2045 6.7) of CRLF-terminated text in one pass: CRLF
 * kept as hard breaks, lines soft-broken before 76, `=`, controls, 8-bit bytes
 * and whitespace before a break encoded. What nodemailer's encoder and wrapper
 * produce, in a fraction of their time (they were ~6 % of a newsletter's CPU).
 */
export function quotedPrintable(crlf: string): string {
  const src = Buffer.from(crlf, 'utf8');
  const len = src.length;
  // Worst case: every byte encoded (3), plus a soft break (3) every 25 bytes.
  const out = Buffer.allocUnsafe(len * 3 + Math.ceil(len / 24) * 3 + 3);
  let pos = 0;
  let line = 0;
  for (let i = 0; i < len; i++) {
    const b = src[i]!;
    const next = i + 1 < len ? src[i + 1] : -1;
    if (b === 0x0d && next === 0x0a) {
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
      line = 0;
      i++;
      continue;
    }
    const literal = (b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && next !== 0x0d && next !== -1);
    const width = literal ? 1 : 3;
    if (line + width > 75) {
      out[pos++] = 0x3d;
      out[pos++] = 0x0d;
      out[pos++] = 0x0a;
      line = 0;
    }
    if (literal) out[pos++] = b;
    else {
      out[pos++] = 0x3d;
      out[pos++] = HEX[b >> 4]!;
      out[pos++] = HEX[b & 15]!;
    }
    line += width;
  }
  return out.toString('latin1', 0, pos);
}
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

const isSpace = (c: number) => c === 0x20 || c === 0x09;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * CRLF-terminated HTML with every line over 998 octets broken at whitespace
 * between a tag's attributes (`<a href="…"␠style="…">`), where a line break is
 * the same to an HTML parser; tracked links make such lines (several signed
 * URLs in one). Null when a long line has no such place (one huge attribute).
 */
export function foldHtmlLines(crlf: string): string | null {
  let out = '';
  let done = 0; // crlf[0, done) is in `out`
  let lineStart = 0;
  let inTag = false;
  let quote = 0;
  let breakAt = -1;
  for (let i = 0; i < crlf.length; i++) {
    const c = crlf.charCodeAt(i);
    if (c === 0x0d && crlf.charCodeAt(i + 1) === 0x0a) {
      lineStart = i + 2;
      breakAt = -1;
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = 0;
    } else if (inTag) {
      if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) inTag = false;
      else if (isSpace(c)) breakAt = i;
    } else if (c === 0x3c && isLetter(crlf.charCodeAt(i + 1))) inTag = true;
    if (i - lineStart >= MAX_7BIT_LINE) {
      if (breakAt < lineStart) return null;
      out += `${crlf.slice(done, breakAt)}\r\n`;
      done = breakAt + 1;
      lineStart = breakAt + 1;
      breakAt = -1;
    }
  }
  return done === 0 ? crlf : out + crlf.slice(done);
}

/** Whether `s` is ASCII without NUL (UTF-8 length equal to its length: no code unit above 0x7f). */
const isSevenBitText = (s: string) => Buffer.byteLength(s, 'utf8') === s.length && !s.includes('\0');

/**
 * One MIME part. Native passes only (split, join, byteLength): this runs for
 * every recipient of a newsletter over ~20 KB, and the regular-expression and
 * per-character version of it was a sixth of a bulk send's CPU.
 */
function part(type: string, body: string): string {
  const src = type === 'text/html' ? asciiHtml(body) : body;
  const lines = src.includes('\r') ? src.split(/\r\n|\r|\n/) : src.split('\n');
  let crlf = lines.join('\r\n');
  if (isSevenBitText(src)) {
    let fits = !lines.some((l) => l.length > MAX_7BIT_LINE);
    if (!fits && type === 'text/html') {
      const folded = foldHtmlLines(crlf);
      if (folded !== null) [crlf, fits] = [folded, true];
    }
    if (fits) return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}`;
  }
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(crlf)}`;
}

const BOUNDARY_BASE = randomBytes(8).toString('hex');
let boundarySeq = 0;

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
  // A boundary unique per message without a call for random bytes each time.
  const root = new MimeNode('multipart/alternative', { baseBoundary: `${BOUNDARY_BASE}${(++boundarySeq).toString(36)}` });
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
