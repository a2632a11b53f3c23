// How a node and an edge of the journey graph look: counts on every step,
// email rates on email steps, how many took each edge.
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, Handle, Position, type EdgeProps, type Node, type NodeProps } from '@xyflow/react';
import { fmt, pct } from '../ui';
import type { EdgeData, JourneyNodeData } from './graph';

export function JourneyNode({ data }: NodeProps<Node<JourneyNodeData>>) {
  const c = data.counts;
  const e = c?.email;
  const cls = [
    'jnode',
    `jnode-${data.kind}`,
    data.stepType ? `jnode-${data.stepType}` : '',
    data.selected ? 'is-selected' : '',
    data.issues.length ? 'has-issues' : '',
    data.simulated ? 'is-simulated' : '',
  ].join(' ');
  return (
    <div className={cls} data-node={data.stepId ?? data.kind} title={data.issues.join('\n') || undefined}>
      {data.kind !== 'trigger' && data.kind !== 'goal' && <Handle type="target" position={Position.Top} />}
      <div className="jnode-title">
        <span className="jnode-type">{data.stepType?.replace(/_/g, ' ') ?? data.kind}</span>
        <strong>{data.title}</strong>
      </div>
      <div className="jnode-sub">{data.subtitle}</div>
      {data.kind === 'step' && (
        <div className="jnode-counts">
          <span data-count="now" aria-label={`${c?.now ?? 0} here now`}>
            <b>{fmt(c?.now ?? 0)}</b> here
          </span>
          <span data-count="passed" aria-label={`${c?.passed ?? 0} passed`}>
            <b>{fmt(c?.passed ?? 0)}</b> passed
          </span>
          {e && (
            <span data-count="email" className="jnode-email">
              {fmt(e.sent)} sent · {pct(e.opened, e.sent)} open · {pct(e.clicked, e.sent)} click
            </span>
          )}
        </div>
      )}
      {data.issues.length > 0 && (
        <div className="jnode-issue" role="note">
          ⚠ {data.issues[0]}
          {data.issues.length > 1 ? ` (+${data.issues.length - 1})` : ''}
        </div>
      )}
      {data.simulated && (
        <div className="jnode-sim" aria-label={`simulated visit ${data.simulated.join(', ')}`}>
          ▶ simulated #{data.simulated.join(', #')}
        </div>
      )}
      {data.kind === 'step' && data.exits && data.exits.length > 1 ? (
        data.exits.map((x, i) => (
          <Handle
            key={x.id}
            id={x.id}
            type="source"
            position={Position.Bottom}
            style={{ left: `${((i + 0.5) / data.exits!.length) * 100}%` }}
            title={`Connect "${x.label}"`}
          />
        ))
      ) : data.kind === 'step' && data.exits?.length === 1 ? (
        <Handle id={data.exits[0]!.id} type="source" position={Position.Bottom} title="Connect the next step" />
      ) : data.kind === 'trigger' || data.kind === 'goal' ? (
        <Handle type="source" position={Position.Bottom} />
      ) : null}
    </div>
  );
}

export function CountedEdge(props: EdgeProps & { data?: EdgeData }) {
  const [path, x, y] = getSmoothStepPath({ ...props, borderRadius: 12 });
  const { label, taken } = props.data ?? {};
  const text = [label, taken ? `${fmt(taken)}` : null].filter(Boolean).join(' · ');
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} className={taken ? 'edge-taken' : undefined} />
      {text && (
        <EdgeLabelRenderer>
          <div className="edge-label" style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }} data-edge={props.id}>
            {text}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
