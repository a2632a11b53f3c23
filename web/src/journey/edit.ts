// Canvas edits as changes to the YAML text: the text stays the one definition
// (comments and order kept, through the yaml Document API), and the graph,
// the settings panel and the editor all read it.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { JourneyDefinition, Step, StepType } from '../../../journeys/schema';

type Path = (string | number)[];

export const STEP_TYPES: { type: StepType; label: string }[] = [
  { type: 'send_email', label: 'Send email' },
  { type: 'wait', label: 'Wait' },
  { type: 'wait_until_window', label: 'Wait for a time window' },
  { type: 'wait_for_event', label: 'Wait for an event' },
  { type: 'branch', label: 'Branch' },
  { type: 'split', label: 'A/B split' },
  { type: 'update_contact', label: 'Update contact' },
  { type: 'issue_coupon', label: 'Issue coupon' },
  { type: 'create_task', label: 'Create sales task' },
  { type: 'approval', label: 'Approval' },
  { type: 'webhook', label: 'Webhook' },
  { type: 'enrol', label: 'Enrol in a journey' },
  { type: 'exit', label: 'Exit' },
];

/** A new step of a type, with fields a marketer then adjusts (valid as they are, where they can be). */
export function defaultStep(type: StepType, id: string, opts: { template?: string; journey?: string } = {}): Record<string, unknown> {
  switch (type) {
    case 'send_email':
      return { id, type, template: opts.template ?? 'welcome' };
    case 'wait':
      return { id, type, duration: '1d' };
    case 'wait_until_window':
      return { id, type, days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };
    case 'wait_for_event':
      return { id, type, event: 'page_viewed', timeout: '3d', onEvent: null, onTimeout: null };
    case 'branch':
      return { id, type, cases: [{ label: 'gold', when: { field: 'tier', op: 'eq', value: 'gold' }, next: null }], otherwise: null };
    case 'split':
      return {
        id,
        type,
        variants: [
          { name: 'a', percent: 50, next: null },
          { name: 'b', percent: 50, next: null },
        ],
      };
    case 'update_contact':
      return { id, type, addTags: ['engaged'] };
    case 'issue_coupon':
      return { id, type, value: 10, prefix: 'RAP', reason: 'Thank you' };
    case 'create_task':
      return { id, type, owner: 'contact.owner', fallbackOwner: 'sales@example.com', due: '1d', reason: 'Follow up' };
    case 'approval':
      return { id, type, approver: 'manager@example.com', subject: 'Approve this', deadline: '3d', onApprove: null, onReject: null };
    case 'webhook':
      return { id, type, url: 'https://example.com/hook' };
    case 'enrol':
      return { id, type, journey: opts.journey ?? 'welcome' };
    case 'exit':
      return { id, type, outcome: 'completed' };
  }
}

/** The fields of a step that name another step (where a connection is stored), with the path to each. */
export function targetFields(s: Partial<Step> & { type?: string }): { path: Path; label: string; nullable: boolean }[] {
  const raw = s as Record<string, unknown>;
  switch (s.type) {
    case 'branch': {
      const cases = Array.isArray(raw.cases) ? (raw.cases as Record<string, unknown>[]) : [];
      return [
        ...cases.map((c, i) => ({
          path: ['cases', i, 'next'],
          label: typeof c?.label === 'string' ? c.label : `case ${i + 1}`,
          nullable: true,
        })),
        { path: ['otherwise'], label: 'otherwise', nullable: true },
      ];
    }
    case 'split': {
      const variants = Array.isArray(raw.variants) ? (raw.variants as Record<string, unknown>[]) : [];
      return variants.map((v, i) => ({ path: ['variants', i, 'next'], label: `variant ${String(v?.name ?? i + 1)}`, nullable: true }));
    }
    case 'wait_for_event':
      return [
        { path: ['onEvent'], label: 'event arrives', nullable: true },
        { path: ['onTimeout'], label: 'timeout', nullable: true },
      ];
    case 'approval':
      return [
        { path: ['onApprove'], label: 'approved', nullable: true },
        { path: ['onReject'], label: 'rejected', nullable: true },
      ];
    case 'exit':
      return [];
    default:
      return [{ path: ['next'], label: 'next', nullable: false }];
  }
}

/** The definition as far as it can be read (for the graph while the text is not valid yet). */
export function looseDefinition(text: string): JourneyDefinition | null {
  let doc: Document;
  try {
    doc = parseDocument(text);
  } catch {
    return null;
  }
  if (doc.errors.length) return null;
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const steps = (Array.isArray(r.steps) ? r.steps : []).filter(
    (s): s is Step =>
      !!s &&
      typeof s === 'object' &&
      typeof (s as Record<string, unknown>).id === 'string' &&
      STEP_TYPES.some((t) => t.type === (s as Record<string, unknown>).type),
  );
  const trigger =
    r.trigger && typeof r.trigger === 'object' && typeof (r.trigger as Record<string, unknown>).type === 'string'
      ? r.trigger
      : { type: 'api' };
  const goals = (Array.isArray(r.goals) ? r.goals : []).filter(
    (g) => g && typeof g === 'object' && typeof (g as Record<string, unknown>).event === 'string',
  );
  return {
    ...(r as object),
    key: String(r.key ?? ''),
    name: String(r.name ?? ''),
    category: String(r.category ?? 'journeys'),
    reentry: 'once',
    trigger,
    goals,
    steps,
  } as JourneyDefinition;
}

function edit(text: string, fn: (doc: Document, steps: Record<string, unknown>[]) => void): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error('Fix the YAML first: the canvas edits the definition the YAML holds.');
  if (!isMap(doc.contents)) throw new Error('The definition must be a YAML mapping.');
  if (!isSeq(doc.get('steps'))) doc.set('steps', doc.createNode([]));
  const steps = (doc.toJS() as { steps: Record<string, unknown>[] }).steps;
  fn(doc, steps);
  return doc.toString({ lineWidth: 0 });
}

const indexOf = (steps: Record<string, unknown>[], id: string) => {
  const i = steps.findIndex((s) => s?.id === id);
  if (i < 0) throw new Error(`There is no step "${id}".`);
  return i;
};

/** A step id not used yet, from a base (`wait`, `wait_2`, ...). */
export function freshId(steps: { id?: unknown }[], base: string): string {
  const used = new Set(steps.map((s) => s.id));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** Adds a step after `after` (or at the end); an explicit `next` of that step moves to the new one. */
export function addStep(
  text: string,
  type: StepType,
  after: string | null,
  opts: { template?: string; journey?: string } = {},
): { text: string; id: string } {
  let id = '';
  const out = edit(text, (doc, steps) => {
    id = freshId(steps, type === 'send_email' ? 'email' : type);
    const step = defaultStep(type, id, opts);
    const at = after === null ? steps.length : indexOf(steps, after) + 1;
    if (after !== null) {
      const prev = steps[at - 1]!;
      if (typeof prev.next === 'string' && targetFields(prev).some((f) => f.path[0] === 'next')) {
        if (type !== 'exit' && targetFields(step).some((f) => f.path[0] === 'next')) step.next = prev.next;
        doc.deleteIn(['steps', at - 1, 'next']);
      }
    }
    const seq = doc.get('steps');
    if (isSeq(seq)) seq.items.splice(at, 0, doc.createNode(step));
  });
  return { text: out, id };
}

/** Removes a step; what pointed at it now points where it went on (or ends). */
export function removeStep(text: string, id: string): string {
  return edit(text, (doc, steps) => {
    const i = indexOf(steps, id);
    const s = steps[i]!;
    const simple = targetFields(s).length === 1 && targetFields(s)[0]!.path[0] === 'next';
    const onward = simple ? (typeof s.next === 'string' ? s.next : ((steps[i + 1]?.id as string | undefined) ?? null)) : null;
    steps.forEach((other, j) => {
      if (j === i) return;
      for (const f of targetFields(other)) {
        if (readIn(other, f.path) !== id) continue;
        const to = onward === other.id ? null : onward;
        if (to === null && !f.nullable) doc.deleteIn(['steps', j, ...f.path]);
        else doc.setIn(['steps', j, ...f.path], to);
      }
    });
    (doc.get('goals') && isSeq(doc.get('goals')) ? ((doc.toJS() as { goals: { next?: string }[] }).goals ?? []) : []).forEach((g, k) => {
      if (g?.next === id) doc.deleteIn(['goals', k, 'next']);
    });
    doc.deleteIn(['steps', i]);
  });
}

/** Moves a step one place up (-1) or down (+1) in the order (the default path). */
export function moveStep(text: string, id: string, delta: -1 | 1): string {
  return edit(text, (doc, steps) => {
    const i = indexOf(steps, id);
    const j = i + delta;
    if (j < 0 || j >= steps.length) return;
    const seq = doc.get('steps');
    if (!isSeq(seq)) return;
    const [item] = seq.items.splice(i, 1);
    seq.items.splice(j, 0, item);
  });
}

/**
 * Connects an exit of `source` (a target field, e.g. ["otherwise"]) to
 * `target` (null: the end). A plain `next` to the step that follows anyway is
 * left implicit.
 */
export function connect(text: string, source: string, field: Path, target: string | null): string {
  return edit(text, (doc, steps) => {
    const i = indexOf(steps, source);
    const f = targetFields(steps[i]!).find((x) => x.path.join('.') === field.join('.'));
    if (!f) throw new Error(`Step "${source}" has no exit ${field.join('.')}.`);
    if (target !== null) indexOf(steps, target);
    if (!f.nullable) {
      const following = (steps[i + 1]?.id as string | undefined) ?? null;
      if (target === following) doc.deleteIn(['steps', i, ...field]);
      else if (target === null) throw new Error(`To end the journey after "${source}", connect it to an exit step.`);
      else doc.setIn(['steps', i, ...field], target);
      return;
    }
    doc.setIn(['steps', i, ...field], target);
  });
}

/** Sets a field of a step (undefined: removes it). */
export function setStepField(text: string, id: string, path: Path, value: unknown): string {
  return edit(text, (doc, steps) => {
    const i = indexOf(steps, id);
    if (value === undefined) doc.deleteIn(['steps', i, ...path]);
    else doc.setIn(['steps', i, ...path], doc.createNode(value));
  });
}

/** Sets a top-level field (trigger, goals, name). */
export function setTopField(text: string, path: Path, value: unknown): string {
  return edit(text, (doc) => {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  });
}

/** Renames a step and every reference to it. */
export function renameStep(text: string, id: string, to: string): string {
  return edit(text, (doc, steps) => {
    const i = indexOf(steps, id);
    if (steps.some((s) => s.id === to)) throw new Error(`There is already a step "${to}".`);
    steps.forEach((other, j) => {
      for (const f of targetFields(other)) if (readIn(other, f.path) === id) doc.setIn(['steps', j, ...f.path], to);
    });
    ((doc.toJS() as { goals?: { next?: string }[] }).goals ?? []).forEach((g, k) => {
      if (g?.next === id) doc.setIn(['goals', k, 'next'], to);
    });
    doc.setIn(['steps', i, 'id'], to);
  });
}

export function readIn(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
