// Definition checks beyond the shape: the mistakes that would otherwise show up
// at 3 a.m. Each issue carries its path inside the definition.
import type { z } from 'zod';
import { jsonProblem } from '../lib/zod-strings';
import { journeyDefinitionSchema, successors, WAITING_STEPS, type Condition, type JourneyDefinition } from './schema';

export interface DefinitionIssue {
  path: (string | number)[];
  message: string;
}

export interface ValidationContext {
  /** Template keys that exist; when given, unknown templates are errors. */
  templates?: ReadonlySet<string>;
  /** Journey keys that exist (plus the one being validated); for `enrol` steps. */
  journeys?: ReadonlySet<string>;
}

/** Nesting of arrays and objects a definition may have (conditions nest; real ones stay under 20). */
export const MAX_DEFINITION_DEPTH = 100;

export type ValidationResult =
  { ok: true; definition: JourneyDefinition; issues: [] } | { ok: false; definition?: undefined; issues: DefinitionIssue[] };

function conditionFields(c: Condition, path: (string | number)[], out: [string, (string | number)[]][]): void {
  if ('field' in c) out.push([c.field, [...path, 'field']]);
  else if ('all' in c) c.all.forEach((x, i) => conditionFields(x, [...path, 'all', i], out));
  else if ('any' in c) c.any.forEach((x, i) => conditionFields(x, [...path, 'any', i], out));
  else if ('not' in c) conditionFields(c.not, [...path, 'not'], out);
}

export function semanticIssues(def: JourneyDefinition, ctx: ValidationContext = {}): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const index = new Map(def.steps.map((s, i) => [s.id, i]));

  // Unknown templates and journeys.
  def.steps.forEach((s, i) => {
    if (s.type === 'send_email' && ctx.templates && !ctx.templates.has(s.template)) {
      issues.push({ path: ['steps', i, 'template'], message: `unknown template "${s.template}"` });
    }
    if (s.type === 'enrol' && ctx.journeys && !ctx.journeys.has(s.journey)) {
      issues.push({ path: ['steps', i, 'journey'], message: `unknown journey "${s.journey}"` });
    }
    if (s.type === 'enrol' && s.journey === def.key) {
      issues.push({ path: ['steps', i, 'journey'], message: 'a journey cannot enrol a contact in itself' });
    }
  });

  // Conditions that read a webhook step's response must name a webhook step.
  def.steps.forEach((s, i) => {
    if (s.type !== 'branch') return;
    const fields: [string, (string | number)[]][] = [];
    s.cases.forEach((c, j) => conditionFields(c.when, ['steps', i, 'cases', j, 'when'], fields));
    for (const [field, path] of fields) {
      const m = /^steps\.([^.]+)\./.exec(field);
      if (!m) continue;
      const target = index.get(m[1]!);
      if (target === undefined || def.steps[target]!.type !== 'webhook') {
        issues.push({ path, message: `"${field}" refers to "${m[1]}", which is not a webhook step of this journey` });
      }
    }
  });

  // Unreachable steps: not reachable from the first step.
  const seen = new Set<number>();
  // Goals that jump to a step make that step reachable too.
  const stack = [0, ...def.goals.flatMap((g) => (g.next !== undefined && index.has(g.next) ? [index.get(g.next)!] : []))];
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const n of successors(def, i)) {
      const j = index.get(n);
      if (j !== undefined) stack.push(j);
    }
  }
  def.steps.forEach((s, i) => {
    if (!seen.has(i)) issues.push({ path: ['steps', i], message: `step "${s.id}" can never be reached` });
  });

  // Loops with no wait: a cycle through steps none of which waits would spin forever.
  const instant = (i: number) => !WAITING_STEPS.includes(def.steps[i]!.type);
  const state = new Map<number, 'active' | 'done'>();
  const reported = new Set<number>();
  const visit = (i: number, trail: number[]) => {
    state.set(i, 'active');
    for (const n of successors(def, i)) {
      const j = index.get(n);
      if (j === undefined || !instant(j)) continue;
      if (state.get(j) === 'active') {
        const loop = trail.slice(trail.indexOf(j));
        if (!reported.has(j)) {
          reported.add(j);
          issues.push({
            path: ['steps', j],
            message: `loop with no wait: ${[...loop, j].map((k) => def.steps[k]!.id).join(' -> ')}`,
          });
        }
      } else if (!state.has(j)) visit(j, [...trail, j]);
    }
    state.set(i, 'done');
  };
  def.steps.forEach((_, i) => {
    if (instant(i) && !state.has(i)) visit(i, [i]);
  });
  return issues;
}

/** Shape and meaning in one call. */
export function validateJourney(raw: unknown, ctx: ValidationContext = {}): ValidationResult {
  // Before zod, whose walk of nested conditions is recursive: a definition nested
  // deeper than any real one is refused, naming where (e.g. `trigger.when.not.not`),
  // instead of overflowing the stack. NUL and lone surrogates are refused here too.
  const problem = jsonProblem(raw, MAX_DEFINITION_DEPTH, 4);
  if (problem) return { ok: false, issues: [problem] };
  const parsed = journeyDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: i.path as (string | number)[], message: i.message })),
    };
  }
  const issues = semanticIssues(parsed.data, ctx);
  return issues.length ? { ok: false, issues } : { ok: true, definition: parsed.data, issues: [] };
}
