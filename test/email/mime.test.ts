// The newsletter MIME builder (email/mime.ts): what a mail client parses out of
// it is what was given, 7bit where RFC 5322 allows it, quoted-printable
// otherwise, and the RFC 8058 headers as written.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { asciiHtml, asciiHtmlTemplate, buildMime, fitsSevenBit, foldHtmlLines, quotedPrintable } from '../../email/mime';

const base = {
  from: 'Rapport News <news@rapport.test>',
  to: 'ada@example.com',
  replyTo: 'Editors <editors@rapport.test>',
  subject: 'Your issue, Ada',
  messageId: '<abc123@rapport.test>',
  date: new Date('2026-12-02T10:00:00Z'),
  headers: {
    'List-Unsubscribe': '<http://rapport.test/u/tok.sig>, <mailto:unsubscribe@rapport.test?subject=unsubscribe%20tok.sig>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

function bodyHeaders(raw: string): string[] {
  return raw.split('\r\n').filter((l) => /^Content-Transfer-Encoding:/i.test(l));
}

describe('buildMime', () => {
  it('sends ASCII parts with long lines (under 998) as 7bit, and a client reads back the same html, text and headers', async () => {
    const longLine = `<td style="${'padding:0;'.repeat(80)}">`; // 800+ characters: nodemailer would have quoted-printable-encoded it
    const html = `<html><body><table><tr>${longLine}Hello Ada</td></tr></table>\n<a href="http://x.test/?a=1&amp;b=2">link</a></body></html>`;
    const text = 'Hello Ada\n\nRead: http://x.test/?a=1&b=2\n.\nend';
    const m = buildMime({ ...base, html, text })!;
    const raw = m.raw.toString('utf8');
    expect(bodyHeaders(raw)).toEqual(['Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: 7bit']);
    expect(raw).not.toMatch(/[^\r]\n/); // CRLF only
    expect(m.envelope).toEqual({ from: 'news@rapport.test', to: ['ada@example.com'] });
    const p = await simpleParser(m.raw);
    expect(String(p.html).replace(/\r\n/g, '\n')).toBe(html);
    expect(p.text?.replace(/\r\n/g, '\n').trim()).toBe(text);
    expect(p.subject).toBe('Your issue, Ada');
    expect(p.messageId).toBe('<abc123@rapport.test>');
    expect(p.from?.value[0]).toMatchObject({ name: 'Rapport News', address: 'news@rapport.test' });
    expect(p.replyTo?.value[0]).toMatchObject({ address: 'editors@rapport.test' });
    expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(raw.match(/^List-Unsubscribe: .*(\r\n[ \t]+.*)*/m)?.[0].replace(/\r\n[ \t]+/g, ' ')).toBe(
      `List-Unsubscribe: ${base.headers['List-Unsubscribe']}`,
    );
    expect(p.date?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });

  it('non-ASCII in HTML as character references (7bit); quoted-printable for non-ASCII text, long lines and <style> content', async () => {
    const html = `<p>Grüße, Zoë · 🎉 — ${'x'.repeat(10)}</p>`;
    const text = `Grüße ${'y'.repeat(1200)}`;
    const m = buildMime({ ...base, subject: 'Grüße aus Köln', html, text })!;
    const raw = m.raw.toString('utf8');
    expect(bodyHeaders(raw)).toEqual(['Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: 7bit']);
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    expect(raw).toContain('<p>Gr&#252;&#223;e, Zo&#235; &#183; &#127881; &#8212; xxxxxxxxxx</p>');
    const p = await simpleParser(m.raw);
    expect(p.text?.trim()).toBe(text);
    expect(p.subject).toBe('Grüße aus Köln');
    // What a browser shows: the references decoded.
    expect(String(p.html).replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))).toBe(html);

    // In <style>, references are not decoded: that HTML stays as written, quoted-printable.
    const styled = '<style>.a::before{content:"·"}</style><p>é</p>';
    expect(asciiHtml(styled)).toBe(styled);
    const s = buildMime({ ...base, html: styled, text: 'plain' })!.raw.toString('utf8');
    expect(bodyHeaders(s)).toEqual(['Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: quoted-printable']);
    expect((await simpleParser(Buffer.from(s))).html).toBe(styled);
    expect(Math.max(...s.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(78);
    expect(asciiHtml('<style>p{}</style><p>é</p><script>x</script>·')).toBe('<style>p{}</style><p>&#233;</p><script>x</script>&#183;');
  });

  it('quoted-printable: what a parser decodes is the text, lines at most 76, trailing whitespace and = encoded', async () => {
    const texts = [
      'a = b \t\nend with space \nand tab\t\n' + 'ü'.repeat(100),
      `${'x'.repeat(74)}=${'y'.repeat(200)} 🎉 ${'z '.repeat(60)}`,
      '=\n=\n \n\t',
    ];
    for (const text of texts) {
      const crlf = text.replace(/\n/g, '\r\n');
      const qp = quotedPrintable(crlf);
      expect(Math.max(...qp.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
      expect(qp).not.toMatch(/[ \t]\r\n/);
      expect(/^[\x21-\x7e \t\r\n]*$/.test(qp)).toBe(true);
      const raw = buildMime({ ...base, html: '<p>x</p>', text: `${text}é` })!.raw;
      expect((await simpleParser(raw)).text).toBe(`${crlf}é`.replace(/\r\n/g, '\n'));
    }
  });

  it('breaks HTML lines over 998 octets between attributes (7bit, the same tags); one huge attribute stays quoted-printable', async () => {
    const links = Array.from(
      { length: 5 },
      (_, i) => `<a href="http://x.test/${'a'.repeat(300)}?${i}" style="color:red" target="_blank">L${i}</a>`,
    );
    const html = `<p>Text with spaces in it ${links.join(' and ')}</p>`;
    expect(html.length).toBeGreaterThan(1500);
    const raw = buildMime({ ...base, html, text: 'plain' })!.raw.toString('utf8');
    expect(bodyHeaders(raw)).toEqual(['Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: 7bit']);
    expect(Math.max(...raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
    const parsed = String((await simpleParser(Buffer.from(raw))).html);
    expect(parsed).not.toBe(html);
    expect(parsed.replace(/\r?\n/g, ' ')).toBe(html);
    expect(foldHtmlLines('<p>short</p>')).toBe('<p>short</p>');
    expect(foldHtmlLines(`<a href="${'b'.repeat(1200)}">x</a>`)).toBeNull();
    const huge = buildMime({ ...base, html: `<a href="${'b'.repeat(1200)}">x</a>`, text: 'plain' })!.raw.toString('utf8');
    expect(bodyHeaders(huge)).toEqual(['Content-Transfer-Encoding: 7bit', 'Content-Transfer-Encoding: quoted-printable']);
  });

  it('leaves non-ASCII addresses to nodemailer (null), and tells what fits 7bit', () => {
    expect(buildMime({ ...base, to: 'zoë@example.com', html: '<p>x</p>', text: 'x' })).toBeNull();
    expect(fitsSevenBit(`${'a'.repeat(998)}\r\nb`)).toBe(true);
    expect(fitsSevenBit(`${'a'.repeat(999)}\r\nb`)).toBe(false);
    expect(fitsSevenBit('é')).toBe(false);
    expect(fitsSevenBit('a\u0000b')).toBe(false);
  });
  it("asciiHtmlTemplate: a template's own non-ASCII becomes references once, its Handlebars expressions stay as written", () => {
    expect(asciiHtmlTemplate('<p>Grüße · {{firstNameOr "José"}} — {{{raw}}}</p>')).toBe(
      '<p>Gr&#252;&#223;e &#183; {{firstNameOr "José"}} &#8212; {{{raw}}}</p>',
    );
    expect(asciiHtmlTemplate('<p>plain {{x}}</p>')).toBe('<p>plain {{x}}</p>');
    expect(asciiHtmlTemplate('<style>p::after{content:"·"}</style><p>·</p>')).toBe('<style>p::after{content:"·"}</style><p>·</p>');
  });
});
