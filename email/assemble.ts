// Layouts and partials, resolved at the MJML level before compilation, so a
// template version is compiled (and cached) once as a whole.
//
// - A layout (templates/layouts/<name>.mjml) is a full MJML document with a
//   `{{> body}}` where the template's content goes. A template names it in its
//   front matter (`layout: default`); without one, the template is a whole
//   MJML document itself.
// - A partial (templates/partials/<name>.mjml) is an MJML fragment included
//   with `{{> name}}`, in a template, a layout or another partial.
//
// The result remembers where every line came from, so MJML and Handlebars
// errors in the assembled document are reported at the line the author wrote.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LAYOUTS_DIR = resolve(import.meta.dirname, '..', 'templates', 'layouts');
export const PARTIALS_DIR = resolve(import.meta.dirname, '..', 'templates', 'partials');

/** Where an assembled line was written: "template" or "partials/<name>.mjml"... */
export interface Origin {
  file: string;
  line: number;
}

export interface AssembleIssue extends Origin {
  message: string;
}

export interface Assembled {
  mjml: string;
  /** origins[i] is where line i + 1 of `mjml` came from. */
  origins: Origin[];
  issues: AssembleIssue[];
  /** Partials used, by name (for validation messages and docs). */
  partials: string[];
}

export interface FragmentSource {
  text: string;
  file: string;
  /** Line number of the fragment's first line in `file` (1 for a whole file). */
  firstLine: number;
}

export interface PartialResolver {
  partial(name: string): FragmentSource | null;
  layout(name: string): FragmentSource | null;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/i;

/** Layouts and partials from templates/layouts and templates/partials. */
export const fileResolver: PartialResolver = {
  partial(name) {
    if (!NAME.test(name)) return null;
    const f = join(PARTIALS_DIR, `${name}.mjml`);
    return existsSync(f)
      ? { text: readFileSync(f, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''), file: `partials/${name}.mjml`, firstLine: 1 }
      : null;
  },
  layout(name) {
    if (!NAME.test(name)) return null;
    const f = join(LAYOUTS_DIR, `${name}.mjml`);
    return existsSync(f)
      ? { text: readFileSync(f, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''), file: `layouts/${name}.mjml`, firstLine: 1 }
      : null;
  },
};

const INCLUDE = /\{\{>\s*([A-Za-z0-9_-]+)\s*\}\}/g;
const MAX_DEPTH = 8;

/**
 * Assembles a template: wraps it in its layout (if any) and expands partials.
 * `body` is the template's MJML as written; `file`/`firstLine` say where it is.
 */
export function assembleTemplate(
  body: FragmentSource,
  layout: string | null | undefined,
  resolver: PartialResolver = fileResolver,
): Assembled {
  const issues: AssembleIssue[] = [];
  const used = new Set<string>();
  const out: string[] = [];
  const origins: Origin[] = [];

  let root: FragmentSource = body;
  let bodyFragment: FragmentSource | null = null;
  if (layout) {
    const l = resolver.layout(layout);
    if (!l) {
      issues.push({
        file: body.file,
        line: body.firstLine,
        message: `unknown layout "${layout}" (expected templates/layouts/${layout}.mjml)`,
      });
    } else {
      root = l;
      bodyFragment = body;
      if (!/\{\{>\s*body\s*\}\}/.test(l.text)) {
        issues.push({ file: l.file, line: 1, message: 'a layout must contain {{> body}} where the template content goes' });
      }
    }
  }

  function expand(src: FragmentSource, stack: string[]): void {
    const lines = src.text.split('\n');
    lines.forEach((line, i) => {
      const here: Origin = { file: src.file, line: src.firstLine + i };
      let last = 0;
      let current = '';
      let currentOrigin: Origin = here;
      // Collected up front: expanding a partial recurses into this function.
      for (const m of [...line.matchAll(INCLUDE)]) {
        const name = m[1]!;
        const before = line.slice(last, m.index ?? 0);
        last = (m.index ?? 0) + m[0].length;
        let frag: FragmentSource | null;
        if (name === 'body') {
          frag = stack.length === 0 && bodyFragment ? bodyFragment : null;
          if (!frag) {
            issues.push({ ...here, message: '{{> body}} is only allowed in a layout' });
            current += before;
            continue;
          }
        } else {
          frag = resolver.partial(name);
          if (!frag) {
            issues.push({ ...here, message: `unknown partial "${name}" (expected templates/partials/${name}.mjml)` });
            current += before;
            continue;
          }
          used.add(name);
        }
        if (stack.includes(frag.file) || stack.length >= MAX_DEPTH) {
          issues.push({ ...here, message: `partial "${name}" includes itself` });
          current += before;
          continue;
        }
        // Expand the fragment into its own lines, then splice: the first of
        // them joins the text before the include, the last the text after it.
        const start = out.length;
        expand(frag, [...stack, frag.file]);
        const added = out.splice(start);
        const addedOrigins = origins.splice(start);
        if (added.length === 0) {
          current += before;
          continue;
        }
        const firstOrigin = before.trim() === '' && current.trim() === '' ? addedOrigins[0]! : currentOrigin;
        if (added.length === 1) {
          current += before + added[0];
          currentOrigin = firstOrigin;
          continue;
        }
        out.push(current + before + added[0]);
        origins.push(firstOrigin);
        for (let k = 1; k < added.length - 1; k++) {
          out.push(added[k]!);
          origins.push(addedOrigins[k]!);
        }
        current = added[added.length - 1]!;
        currentOrigin = addedOrigins[added.length - 1]!;
      }
      out.push(current + line.slice(last));
      origins.push(last === 0 ? here : currentOrigin);
    });
  }

  expand(root, []);
  return { mjml: out.join('\n'), origins, issues, partials: [...used].sort() };
}

/** Where line `n` (1-based) of an assembled document came from. */
export function originOf(a: Pick<Assembled, 'origins'>, n: number | undefined): Origin | undefined {
  if (n === undefined) return undefined;
  return a.origins[n - 1];
}
