// The small HTML pages people see (unsubscribe, preferences, confirmation,
// approval, the local mail sink): one look, escaped text.
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal page; `body` must already be escaped where it holds data. */
export const htmlPage = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem}` +
  `button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.6rem}label{display:block;margin:.6rem 0}</style></head><body>${body}</body></html>`;
