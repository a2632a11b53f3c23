// Open and click tracking, added to the HTML at send time: every http(s) link
// (except consent links: unsubscribe, preferences, confirmation) is rewritten
// to a signed click-through URL that names the send and the target, and a 1x1
// pixel is appended. The plain-text part is left as written.
import { signToken } from '../lib/tokens';

export interface TrackingOptions {
  publicUrl: string;
  linkSecret: string;
  contactId: string;
  sendId: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the entities Handlebars and MJML put in attribute values. */
export function decodeAttribute(v: string): string {
  return v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Paths on our own server that must keep working untracked. */
const CONSENT_PATH = /^\/(u|preferences|confirm)\//;

// A newsletter has the same few links for every recipient: parsing them twice
// per link and recipient showed in profiles, so the answers are kept (bounded).
const trackable = new Map<string, boolean>();

export function isTrackable(url: string, publicUrl: string): boolean {
  const k = `${publicUrl}\u0000${url}`;
  let yes = trackable.get(k);
  if (yes === undefined) {
    yes = parseTrackable(url, publicUrl);
    if (trackable.size >= 10_000) trackable.clear();
    trackable.set(k, yes);
  }
  return yes;
}

function parseTrackable(url: string, publicUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const own = new URL(publicUrl);
  if (u.origin === own.origin && CONSENT_PATH.test(u.pathname.slice(own.pathname.replace(/\/$/, '').length))) return false;
  return true;
}

export function clickUrl(o: TrackingOptions, target: string): string {
  return `${o.publicUrl.replace(/\/$/, '')}/t/c/${signToken(o.linkSecret, { p: 'click', c: o.contactId, s: o.sendId, u: target })}`;
}

export function openPixelUrl(o: TrackingOptions): string {
  return `${o.publicUrl.replace(/\/$/, '')}/t/o/${signToken(o.linkSecret, { p: 'open', c: o.contactId, s: o.sendId })}.gif`;
}

/** Rewrites links and adds the open pixel. */
export function addTracking(html: string, o: TrackingOptions): string {
  const rewritten = html.replace(/(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2/gis, (all, pre: string, q: string, raw: string) => {
    const url = decodeAttribute(raw.trim());
    if (!isTrackable(url, o.publicUrl)) return all;
    // A line break after the long signed URL, inside the tag (whitespace between
    // attributes, the same to an HTML parser): a line of MJML with several links
    // stays under RFC 5322's 998 octets, so the message goes 7bit as written.
    return `${pre}${q}${escapeAttribute(clickUrl(o, url))}${q}\n`;
  });
  const pixel = `<img src="${escapeAttribute(openPixelUrl(o))}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;overflow:hidden" />`;
  return /<\/body>/i.test(rewritten) ? rewritten.replace(/<\/body>(?![\s\S]*<\/body>)/i, `${pixel}</body>`) : rewritten + pixel;
}
