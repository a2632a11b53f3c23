// Refinements for text and JSON from outside: PostgreSQL refuses NUL in text and
// jsonb (a 500 after validation), and lone UTF-16 surrogates turn into U+FFFD or
// errors on the way to the database and into mail. Refused here, naming the field.
import { z } from 'zod';

/** NUL, or a surrogate half without its partner. */
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const SAFE_TEXT_MESSAGE = 'must not contain NUL characters or lone surrogates';

export function isSafeText(s: string): boolean {
  return !UNSAFE.test(s);
}

/** The deepest nesting of arrays and objects accepted in JSON values from callers. */
export const MAX_JSON_DEPTH = 100;

/**
 * The first problem in a JSON value: too deep, an unsafe string (key or value),
 * or a non-finite number. Iterative, so that any depth is safe to check.
 */
export function jsonProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
  /** How much of the path to a too-deep value to name (a path 100 levels long would not help). */
  keep = 1,
): { path: (string | number)[]; message: string } | null {
  const stack: { v: unknown; path: (string | number)[]; depth: number }[] = [{ v: value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (!isSafeText(v)) return { path, message: SAFE_TEXT_MESSAGE };
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return { path: path.slice(0, keep), message: `must not be nested more than ${maxDepth} levels deep` };
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
      for (const [k, x] of entries) {
        if (typeof k === 'string' && !isSafeText(k)) return { path: [...path, k], message: `names ${SAFE_TEXT_MESSAGE}` };
        // JSON.parse keeps "__proto__" as a key, but plain objects (zod's among them) drop it silently.
        if (k === '__proto__') return { path: [...path, k], message: 'is a reserved name; choose another key' };
        stack.push({ v: x, path: [...path, k], depth: depth + 1 });
      }
    }
  }
  return null;
}

/** A string free of NUL and lone surrogates. */
export const safeString = () => z.string().refine(isSafeText, { message: SAFE_TEXT_MESSAGE });

// RFC 5321 limits the part before the @ to 64 characters (and the document's `format: email` says so).
const EMAIL = z
  .email({ message: 'must be a valid email address' })
  .max(320)
  .refine((e) => e.lastIndexOf('@') <= 64, { message: 'must have at most 64 characters before the @' });

/** An email address; the document states what it must look like (the input side of the pipe is a bare string). */
export const emailSchema = safeString()
  .trim()
  .toLowerCase()
  .pipe(EMAIL)
  .meta({ format: 'email', pattern: z.regexes.email.source, maxLength: 320 });

/**
 * Adds a depth and text check to a JSON-valued schema; the issue names the
 * offending key inside the value. Checked before the inner schema, so zod's own
 * recursive walkers never see a value deep enough to overflow the stack. A
 * transform (not a refinement of unknown) so that the JSON Schema of the input
 * is the inner schema's: the OpenAPI document then states the real shape.
 */
export function safeJson<T extends z.ZodType>(inner: T, maxDepth = MAX_JSON_DEPTH) {
  return z
    .transform((v: unknown, ctx) => {
      const p = jsonProblem(v, maxDepth);
      if (!p) return v;
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: v });
      return z.NEVER;
    })
    .pipe(inner);
}
