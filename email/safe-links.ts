// Links whose scheme runs code or embeds content (javascript:, vbscript:, data:)
// never leave Rapport in an email: template data is the contact's and the
// shop's, and Handlebars escapes HTML, not URL schemes. Such a link becomes "#".
import { decodeAttribute } from './tracking';

const UNSAFE_SCHEME = /^(javascript|vbscript|data):/i;

/** Whether a URL (as a browser would read it: entities decoded, controls and spaces ignored) runs or embeds content. */
export function isUnsafeUrl(raw: string): boolean {
  // Browsers drop ASCII whitespace and control characters anywhere in the scheme ("java\tscript:").
  const url = decodeAttribute(raw).replace(/[\u0000-\u0020\u007f]+/g, '');
  return UNSAFE_SCHEME.test(url);
}

/** Replaces unsafe href/src/action/formaction/xlink:href values in rendered HTML by "#". */
export function neutraliseUnsafeUrls(html: string): string {
  return html.replace(
    // Every such attribute, wherever it is (a tag may have several); a match in text is harmless to rewrite.
    /(\s(?:href|src|action|formaction|xlink:href|background)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi,
    (all, pre: string, dq?: string, sq?: string, bare?: string) => {
      const value = dq ?? sq ?? bare ?? '';
      return isUnsafeUrl(value) ? `${pre}"#"` : all;
    },
  );
}
