// A journey definition (the same one the YAML holds) as graph nodes and edges,
// with live counts, laid out top to bottom by dagre.
import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import type { JourneyStats, StepCounts } from '../../../journeys/insights';
import type { JourneyDefinition, Step } from '../../../journeys/schema';

export const NODE_W = 240;
export const NODE_H = 96;

export type NodeKind = 'trigger' | 'step' | 'goal' | 'end';

export interface JourneyNodeData extends Record<string, unknown> {
  kind: NodeKind;
  title: string;
  subtitle: string;
  stepType?: Step['type'];
  stepId?: string;
  counts?: StepCounts;
  /** Validation messages about this node. */
  issues: string[];
  /** Its ways out, one connection handle each (id: the field that stores the target). */
  exits?: { id: string; label: string | null }[];
  /** On the simulated path: the order it was visited in. */
  simulated?: number[];
  selected: boolean;
}

export interface EdgeData extends Record<string, unknown> {
  label?: string;
  taken?: number;
}

/** Each way out of a step: the outcome it logs, its label, and where it goes (null: the end). */
export function exits(
  def: JourneyDefinition,
  index: number,
): { outcome: string | null; label: string | null; to: string | null; field: string }[] {
  const s = def.steps[index]!;
  const following = def.steps[index + 1]?.id ?? null;
  // While the YAML is being edited a step may lack fields: no exits from those.
  const to = (v: unknown) => (typeof v === 'string' ? v : null);
  switch (s.type) {
    case 'branch':
      return [
        ...(Array.isArray(s.cases) ? s.cases : []).map((c, i) => ({
          outcome: c?.label ?? `case_${i + 1}`,
          label: c?.label ?? `case ${i + 1}`,
          to: to(c?.next),
          field: `cases.${i}.next`,
        })),
        { outcome: 'otherwise', label: 'otherwise', to: to(s.otherwise), field: 'otherwise' },
      ];
    case 'split':
      return (Array.isArray(s.variants) ? s.variants : []).map((v, i) => ({
        outcome: `variant_${v?.name}`,
        label: `${v?.name} ${v?.percent}%`,
        to: to(v?.next),
        field: `variants.${i}.next`,
      }));
    case 'wait_for_event':
      return [
        { outcome: 'event_received', label: s.event, to: to(s.onEvent), field: 'onEvent' },
        { outcome: 'timed_out', label: `no ${s.event} in ${s.timeout}`, to: to(s.onTimeout), field: 'onTimeout' },
      ];
    case 'approval':
      return [
        { outcome: 'approved', label: 'approved', to: to(s.onApprove), field: 'onApprove' },
        { outcome: 'rejected', label: 'rejected', to: to(s.onReject), field: 'onReject' },
      ];
    case 'exit':
      return [];
    default:
      return [{ outcome: null, label: null, to: to(s.next) ?? following, field: 'next' }];
  }
}

export function describeStep(s: Step): string {
  try {
    return describeStepUnsafe(s);
  } catch {
    return s.type.replace(/_/g, ' '); // fields missing while being edited
  }
}

function describeStepUnsafe(s: Step): string {
  switch (s.type) {
    case 'send_email':
      return `Email: ${s.template}`;
    case 'wait':
      return `Wait ${s.duration}`;
    case 'wait_until_window':
      return `Wait for ${s.start}–${s.end} ${s.days.join(', ')}`;
    case 'wait_for_event':
      return `Wait for ${s.event} (up to ${s.timeout})`;
    case 'branch':
      return `Branch: ${s.cases.length} case${s.cases.length === 1 ? '' : 's'} + otherwise`;
    case 'split':
      return `Split: ${s.variants.map((v) => `${v.name} ${v.percent}%`).join(' / ')}`;
    case 'update_contact':
      return 'Update contact';
    case 'issue_coupon':
      return `Coupon ${s.value} (${s.prefix})`;
    case 'create_task':
      return `Task for ${s.owner}, due in ${s.due}`;
    case 'approval':
      return `Approval by ${s.approver}`;
    case 'webhook':
      return `Webhook ${new URL(s.url).host}`;
    case 'enrol':
      return `Enrol in ${s.journey}`;
    case 'exit':
      return `Exit (${s.outcome})`;
  }
}

function describeTrigger(def: JourneyDefinition): string {
  const t = def.trigger;
  switch (t.type) {
    case 'event':
      return `When ${Array.isArray(t.event) ? t.event.join(' or ') : t.event}`;
    case 'condition':
      return 'When a condition holds';
    case 'attribute_changed':
      return `When ${t.attribute} changes${t.to !== undefined ? ` to ${String(t.to)}` : ''}`;
    case 'date':
      return `On ${t.field}${t.offset !== '0d' ? ` ${t.offset}` : ''}${t.annual ? ', every year' : ''}`;
    case 'api':
      return 'Enrolled through the API';
  }
}

export const TRIGGER_ID = '__trigger';
export const END_ID = '__end';
const goalId = (i: number) => `__goal_${i}`;

/** Nodes and edges for the definition, counts from `stats`, issues by step id. */
export function buildGraph(
  def: JourneyDefinition,
  stats: JourneyStats | null,
  issuesByStep: Map<string, string[]>,
  selected: string | null,
  simulatedPath: string[] = [],
): { nodes: Node<JourneyNodeData>[]; edges: Edge<EdgeData>[] } {
  const visits = new Map<string, number[]>();
  simulatedPath.forEach((id, i) => visits.set(id, [...(visits.get(id) ?? []), i + 1]));
  const nodes: Node<JourneyNodeData>[] = [];
  const edges: Edge<EdgeData>[] = [];
  const base = { position: { x: 0, y: 0 }, type: 'journey' as const };
  nodes.push({
    ...base,
    id: TRIGGER_ID,
    data: {
      kind: 'trigger',
      title: 'Trigger',
      subtitle: describeTrigger(def),
      issues: issuesByStep.get(TRIGGER_ID) ?? [],
      selected: selected === TRIGGER_ID,
    },
  });
  let needsEnd = false;
  def.steps.forEach((s, i) => {
    nodes.push({
      ...base,
      id: s.id,
      data: {
        kind: 'step',
        title: s.id,
        subtitle: describeStep(s),
        stepType: s.type,
        stepId: s.id,
        counts: stats?.steps[s.id],
        issues: issuesByStep.get(s.id) ?? [],
        selected: selected === s.id,
        exits: exits(def, i).map((e) => ({ id: e.field, label: e.field === 'next' ? null : e.label })),
        simulated: visits.get(s.id),
      },
    });
    const ids = new Set(def.steps.map((x) => x.id));
    for (const [k, e] of exits(def, i).entries()) {
      const target = e.to !== null && ids.has(e.to) ? e.to : END_ID;
      if (target === END_ID) needsEnd = true;
      const counts = stats?.steps[s.id];
      const taken = e.outcome === null ? counts?.passed : counts?.outcomes[e.outcome];
      edges.push({
        id: `${s.id}->${target}#${k}`,
        source: s.id,
        sourceHandle: e.field,
        target,
        type: 'counted',
        data: { label: e.label ?? undefined, taken: taken ?? 0 },
      });
    }
  });
  if (def.steps[0]) {
    edges.push({
      id: `${TRIGGER_ID}->${def.steps[0].id}`,
      source: TRIGGER_ID,
      target: def.steps[0].id,
      type: 'counted',
      data: { taken: sumEntered(stats) },
    });
  }
  def.goals.forEach((g, i) => {
    nodes.push({
      ...base,
      id: goalId(i),
      data: {
        kind: 'goal',
        title: `Goal: ${g.event}`,
        subtitle: g.next ? `Any step → ${g.next}` : `Any step → ends, ${g.outcome}`,
        issues: [],
        selected: selected === goalId(i),
      },
    });
    if (g.next)
      edges.push({
        id: `${goalId(i)}->${g.next}`,
        source: goalId(i),
        target: g.next,
        type: 'counted',
        animated: false,
        data: { label: 'jump' },
      });
  });
  if (needsEnd || def.steps.length === 0) {
    const endings = stats?.endings ?? {};
    const ended = Object.values(endings).reduce((a, b) => a + b, 0);
    nodes.push({
      ...base,
      id: END_ID,
      data: {
        kind: 'end',
        title: 'End',
        subtitle: ended
          ? Object.entries(endings)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')
          : 'No run has ended yet',
        issues: [],
        selected: false,
      },
    });
  }
  return layout(nodes, edges);
}

function sumEntered(stats: JourneyStats | null): number {
  if (!stats) return 0;
  const ended = Object.values(stats.endings).reduce((a, b) => a + b, 0);
  return ended + stats.inFlight;
}

function layout(nodes: Node<JourneyNodeData>[], edges: Edge<EdgeData>[]) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return {
    nodes: nodes.map((n) => {
      const p = g.node(n.id);
      return { ...n, position: { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 } };
    }),
    edges,
  };
}
