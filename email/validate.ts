// Checks a template before it is saved, and says where each problem is:
// - layout and partials exist;
// - Handlebars syntax in subject, preheader and body;
// - every variable and helper is known, against a sample render context
//   (so `{{contact.nmae}}` is reported with its line);
// - MJML errors (unknown tags, bad nesting, invalid attributes), mapped back
//   to the line the author wrote, in the template or in a partial/layout;
// - Handlebars expressions that MJML would drop (outside content tags);
// - a marketing (non-transactional) email links to {{unsubscribeUrl}} or
//   {{preferencesUrl}};
// - From and Reply-To are addresses.
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { assembleTemplate, originOf, type Origin, type PartialResolver, fileResolver } from './assemble';
import { OPEN_PATHS, sampleRenderContext } from './context';
import { HELPER_NAMES, ITERATING_HELPERS } from './helpers';

export interface TemplateIssue {
  /** Which field: "mjml", "subject", "preheader", "from", "replyTo", "layout", or a "partials/x.mjml" file. */
  path: string;
  /** Line in that field or file (1-based), when the problem has one. */
  line?: number;
  message: string;
}

export interface TemplateDraft {
  key: string;
  category: string;
  subject: string;
  preheader?: string | null;
  /** The MJML as written: a whole document, or the content for `layout`. */
  mjml: string;
  layout?: string | null;
  from?: string | null;
  replyTo?: string | null;
}

export interface ValidationResult {
  ok: boolean;
  issues: TemplateIssue[];
  /** The assembled MJML document to store (present when assembly worked). */
  assembled: string;
}

export interface ValidateOptions {
  /** Extra top-level sample data templates may use (e.g. for internal notices). */
  sample?: Record<string, unknown>;
  resolver?: PartialResolver;
  /** Name the body is reported under; "mjml" for API input. */
  file?: string;
  /** Line of the body's first line in `file`. */
  firstLine?: number;
}

const OPEN = Symbol('open');
type Shape = unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The sample context, with free-form paths marked open. */
function sampleShape(category: string, extra: Record<string, unknown>): Record<string, Shape> {
  const ctx = {
    ...sampleRenderContext({ publicUrl: 'https://rapport.invalid', linkSecret: 'validation-only-secret' }, category),
    ...extra,
  } as Record<string, Shape>;
  // Null values are still known names; give them a shape so sub-paths are checked.
  const shape = JSON.parse(JSON.stringify(ctx)) as Record<string, Shape>;
  for (const p of OPEN_PATHS) {
    const parts = p.split('.');
    let o: Shape = shape;
    for (const part of parts.slice(0, -1)) o = isRecord(o) ? o[part] : undefined;
    if (isRecord(o)) o[parts[parts.length - 1]!] = OPEN;
  }
  for (const k of Object.keys(extra)) shape[k] = OPEN;
  return shape;
}

type Resolved = { ok: true; value: Shape } | { ok: false };

function resolvePath(scope: Shape, parts: string[]): Resolved {
  let v: Shape = scope;
  for (const part of parts) {
    if (v === OPEN) return { ok: true, value: OPEN };
    if (Array.isArray(v)) {
      if (part === 'length') return { ok: true, value: 0 };
      if (/^\d+$/.test(part)) {
        v = v.length > 0 ? v[0] : OPEN;
        continue;
      }
      return { ok: false };
    }
    if (isRecord(v) && Object.prototype.hasOwnProperty.call(v, part)) {
      v = v[part] === null ? OPEN : v[part];
      continue;
    }
    return { ok: false };
  }
  return { ok: true, value: v };
}

/** Walks a Handlebars AST and reports unknown variables and helpers. */
function checkVariables(
  program: hbs.AST.Program,
  root: Record<string, Shape>,
  report: (line: number, message: string) => void,
): { paths: Set<string> } {
  const paths = new Set<string>();
  const say = report;

  function checkPath(p: hbs.AST.PathExpression, scopes: Shape[]): Shape {
    const line = p.loc?.start.line ?? 1;
    if (p.data) {
      if (p.parts[0] === 'root') {
        const r = resolvePath(root, p.parts.slice(1));
        if (!r.ok) say(line, `unknown variable "${p.original}"`);
        return r.ok ? r.value : OPEN;
      }
      return OPEN; // @index, @key, @first, @last
    }
    const scope = scopes[scopes.length - 1 - p.depth] ?? root;
    if (p.parts.length === 0) return scope; // this, .
    if (scope === root) paths.add(p.parts.join('.'));
    const r = resolvePath(scope, p.parts);
    if (!r.ok) say(line, `unknown variable "${p.original}"`);
    return r.ok ? r.value : OPEN;
  }

  function checkExpr(e: hbs.AST.Expression, scopes: Shape[]): Shape {
    if (e.type === 'PathExpression') return checkPath(e as hbs.AST.PathExpression, scopes);
    if (e.type === 'SubExpression') return checkCall(e as hbs.AST.SubExpression, scopes);
    return OPEN;
  }

  /** A mustache, block or sub-expression: a helper call or a variable. Returns the value's shape. */
  function checkCall(
    node: { path: hbs.AST.PathExpression | hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash },
    scopes: Shape[],
  ): Shape {
    const args = node.params.length + (node.hash?.pairs.length ?? 0);
    const values = node.params.map((p) => checkExpr(p, scopes));
    for (const pair of node.hash?.pairs ?? []) checkExpr(pair.value, scopes);
    if (node.path.type !== 'PathExpression') return OPEN;
    const path = node.path as hbs.AST.PathExpression;
    const name = path.original;
    if (!path.data && path.depth === 0 && path.parts.length === 1 && HELPER_NAMES.has(name)) {
      if (name === 'recommend') {
        const list = values.find((v) => Array.isArray(v)) ?? root.catalog;
        return Array.isArray(list) && list.length > 0 ? [{ ...(list[0] as object), price: 0, currency: 'USD' }] : [OPEN];
      }
      if (name === 'each' || name === 'with') return values[0] ?? OPEN;
      return OPEN;
    }
    if (args > 0) {
      say(path.loc?.start.line ?? 1, `unknown helper "${name}"`);
      return OPEN;
    }
    return checkPath(path, scopes);
  }

  function walk(prog: hbs.AST.Program | undefined, scopes: Shape[]): void {
    for (const s of prog?.body ?? []) {
      if (s.type === 'MustacheStatement') {
        checkCall(s as hbs.AST.MustacheStatement, scopes);
      } else if (s.type === 'BlockStatement') {
        const b = s as hbs.AST.BlockStatement;
        const name = b.path.original;
        const v = checkCall(b, scopes);
        let inner: Shape[] = scopes;
        if (ITERATING_HELPERS.has(name) || !HELPER_NAMES.has(name)) {
          // #each / #recommend, or a section over a value: items become the context.
          const first: Shape =
            v === OPEN
              ? OPEN
              : Array.isArray(v)
                ? v.length > 0
                  ? v[0]
                  : OPEN
                : isRecord(v) && ITERATING_HELPERS.has(name)
                  ? (Object.values(v)[0] ?? OPEN)
                  : v;
          inner = [...scopes, first];
        } else if (name === 'with') {
          inner = [...scopes, v];
        }
        walk(b.program, inner);
        walk(b.inverse, scopes);
      } else if (s.type === 'PartialStatement' || s.type === 'PartialBlockStatement') {
        const p = s as hbs.AST.PartialStatement;
        const name = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : '?';
        say(p.loc?.start.line ?? 1, `unknown partial "${name}"`);
      }
    }
  }

  walk(program, [root]);
  return { paths };
}

function parseHandlebars(source: string, report: (line: number, message: string) => void): hbs.AST.Program | null {
  try {
    return Handlebars.parse(source);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /line (\d+)/.exec(msg);
    const detail = msg.split('\n').slice(-1)[0] ?? msg;
    report(m ? Number(m[1]) : 1, `Handlebars syntax error: ${detail}`);
    return null;
  }
}

const ADDRESS = /^\s*(?:"?[^"<>]*"?\s*<\s*)?[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+\s*>?\s*$/;

export async function validateTemplate(t: TemplateDraft, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const issues: TemplateIssue[] = [];
  const file = opts.file ?? 'mjml';
  const firstLine = opts.firstLine ?? 1;
  const resolver = opts.resolver ?? fileResolver;
  const at = (o: Origin | undefined, message: string) => {
    if (!o) return issues.push({ path: file, message });
    issues.push({ path: o.file, line: o.line, message });
  };

  const a = assembleTemplate({ text: t.mjml.replace(/\r\n/g, '\n').replace(/\n$/, ''), file, firstLine }, t.layout, resolver);
  for (const i of a.issues)
    issues.push({ path: i.file === file && /layout/.test(i.message) ? 'layout' : i.file, line: i.line, message: i.message });

  if (t.from && !ADDRESS.test(t.from)) issues.push({ path: 'from', message: 'must be an address like "Name <name@example.com>"' });
  if (t.replyTo && !ADDRESS.test(t.replyTo)) issues.push({ path: 'replyTo', message: 'must be an address like "name@example.com"' });

  const shape = sampleShape(t.category, opts.sample ?? {});
  // Subject and preheader are templates too.
  for (const [field, src] of [
    ['subject', t.subject],
    ['preheader', t.preheader ?? ''],
  ] as const) {
    if (!src) continue;
    const ast = parseHandlebars(src, (line, message) => issues.push({ path: field, line, message }));
    if (ast) checkVariables(ast, shape, (line, message) => issues.push({ path: field, line, message }));
  }

  const body = parseHandlebars(a.mjml, (line, message) => at(originOf(a, line), message));
  let usesConsentLink = false;
  if (body) {
    const { paths } = checkVariables(body, shape, (line, message) => at(originOf(a, line), message));
    usesConsentLink = paths.has('unsubscribeUrl') || paths.has('preferencesUrl');
  }

  if (body && t.category !== 'transactional' && !usesConsentLink) {
    const end = a.mjml.split('\n').findIndex((l) => l.includes('</mj-body>'));
    at(
      end >= 0 ? originOf(a, end + 1) : { file, line: firstLine },
      'a marketing email must link to {{unsubscribeUrl}} (or {{preferencesUrl}}); category "transactional" is exempt',
    );
  }

  // MJML: compile the assembled document. Lines map back through the origins.
  if (a.issues.length === 0) {
    try {
      const out = await mjml2html(a.mjml, { validationLevel: 'soft', keepComments: false });
      for (const e of out.errors) at(originOf(a, e.line), `MJML: ${e.message}`);
      if (body) {
        // Handlebars between MJML elements (outside mj-text, mj-button, ...) is
        // dropped by MJML: find the expressions that did not survive.
        a.mjml.split('\n').forEach((line, i) => {
          for (const m of line.matchAll(/\{\{[^}]*\}\}\}?/g)) {
            if (!out.html.includes(m[0])) {
              at(originOf(a, i + 1), `"${m[0]}" is outside MJML content (mj-text, mj-button, mj-raw...) and would be dropped`);
              break;
            }
          }
        });
      }
    } catch (err) {
      at({ file, line: firstLine }, `MJML: ${(err as Error).message}`);
    }
  }

  issues.sort((x, y) => (x.path === y.path ? (x.line ?? 0) - (y.line ?? 0) : 0));
  return { ok: issues.length === 0, issues, assembled: a.mjml };
}
