// One journey: the graph with live counts, the YAML beside it, a clicked
// node's settings and contacts, save draft, publish, pause and resume.
import {
  Background,
  Controls,
  ReactFlow,
  type Connection,
  type FitViewOptions,
  type NodeChange,
  type NodeMouseHandler,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { JourneyStats } from '../../../journeys/insights';
import type { JourneyDefinition, StepType } from '../../../journeys/schema';
import { api, ApiError, errorText, type ErrorDetail } from '../api';
import { useApi } from '../hooks';
import { addStep, connect, looseDefinition, removeStep, STEP_TYPES } from '../journey/edit';
import { buildGraph, END_ID, TRIGGER_ID } from '../journey/graph';
import { NodePanel } from '../journey/NodePanel';
import { CountedEdge, JourneyNode } from '../journey/nodes';
import { PublishDialog } from '../journey/PublishDialog';
import { SimulatePanel } from '../journey/SimulatePanel';
import { StepEditor } from '../journey/StepEditor';
import { TriggerEditor } from '../journey/TriggerEditor';
import { lineOf, stepOfPath } from '../journey/yaml-lines';
import { YamlEditor, type LineIssue } from '../journey/YamlEditor';
import { Link } from '../router';
import { useCanEdit } from '../session';
import { ActionFeedback, ErrorBox, fmt, Loading, PageHeader, StatusBadge, when } from '../ui';

// The bar over the canvas takes one row (the step picker) or, when editing on a
// narrow canvas, two: the automatic fit keeps the graph's top below it.
const FIT_UNDER_BAR: FitViewOptions = { padding: { top: '56px', x: '24px', bottom: '24px' } };
const FIT_UNDER_TWO_ROW_BAR: FitViewOptions = { padding: { top: '100px', x: '24px', bottom: '24px' } };

/** GET /v1/journeys/{key} (server/routes/journeys.ts). */
interface JourneyDetail {
  key: string;
  name: string;
  status: string;
  latestVersion: number | null;
  versions: { version: number; publishedAt: string }[];
  draft: JourneyDefinition;
  running: { version: number; step: string | null; contacts: number; inDraft: boolean | null }[];
}

const nodeTypes = { journey: JourneyNode };
const edgeTypes = { counted: CountedEdge };

export function JourneyPage({ journeyKey }: { journeyKey: string }) {
  const canEdit = useCanEdit();
  const detail = useApi<JourneyDetail>(`/v1/journeys/${journeyKey}`);
  const stats = useApi<JourneyStats>(`/journeys/${journeyKey}/stats`, 3000);
  const [text, setText] = useState<string | null>(null);
  const [def, setDef] = useState<JourneyDefinition | null>(null);
  const [issues, setIssues] = useState<ErrorDetail[]>([]);
  const [parseError, setParseError] = useState<LineIssue | null>(null);
  const [savedText, setSavedText] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<'node' | 'yaml' | 'simulate'>('yaml');
  const [simPath, setSimPath] = useState<string[]>([]);
  const [addType, setAddType] = useState<StepType>('send_email');
  const templates = useApi<{ templates: { key: string }[] }>(canEdit ? '/v1/templates' : null);
  const isNew = detail.error instanceof ApiError && detail.error.status === 404 && canEdit;
  const [publishing, setPublishing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A journey that does not exist yet starts as an empty draft, built on the canvas.
  useEffect(() => {
    if (isNew && text === null) {
      const q = new URLSearchParams(window.location.search);
      const fresh = {
        key: journeyKey,
        name: q.get('name') || journeyKey,
        trigger: { type: 'event', event: q.get('event') || 'signed_up' },
        steps: [],
      };
      setText(stringify(fresh));
      setSavedText('');
    }
  }, [isNew, text, journeyKey]);

  // The draft arrives once; from then on the YAML text is the definition being edited.
  useEffect(() => {
    if (detail.data && text === null) {
      const t = stringify(detail.data.draft);
      setText(t);
      setSavedText(t);
      setDef(detail.data.draft);
    }
  }, [detail.data, text]);

  // Validate as the marketer types (debounced), with the server's own validator.
  const validation = useRef(0);
  useEffect(() => {
    if (text === null || text === savedText) {
      if (text === savedText) {
        setIssues([]);
        setParseError(null);
      }
      return;
    }
    const id = ++validation.current;
    const t = window.setTimeout(async () => {
      let body: unknown;
      try {
        body = parse(text);
        setParseError(null);
      } catch (err) {
        const line =
          typeof err === 'object' && err !== null && 'linePos' in err && Array.isArray(err.linePos) ? Number(err.linePos[0]?.line ?? 1) : 1;
        setParseError({ line, message: `YAML: ${errorText(err).split('\n')[0]}` });
        return;
      }
      try {
        const v = await api<{ valid: boolean; issues: ErrorDetail[] }>('/v1/journeys/validate', { body });
        if (id !== validation.current) return;
        setIssues(v.issues);
        if (v.valid) setDef(body as JourneyDefinition);
      } catch (err) {
        if (id === validation.current) setFailure(errorText(err));
      }
    }, 400);
    return () => window.clearTimeout(t);
  }, [text, savedText]);

  // What the canvas shows: the text as far as it reads (also while invalid), else the last valid definition.
  const current = useMemo(() => (text ? looseDefinition(text) : null) ?? def, [text, def]);
  const stepIds = useMemo(() => (current?.steps ?? []).map((s) => s.id), [current]);
  const issuesByStep = useMemo(() => {
    const m = new Map<string, string[]>();
    let ids = stepIds;
    try {
      const raw: unknown = text ? parse(text) : null;
      if (raw && typeof raw === 'object' && 'steps' in raw && Array.isArray(raw.steps))
        ids = raw.steps.map((s: unknown) => (s && typeof s === 'object' && 'id' in s ? String(s.id) : ''));
    } catch {
      /* the parse error is shown in the editor */
    }
    for (const i of issues) {
      const step = stepOfPath(i.path, ids);
      if (step) m.set(step, [...(m.get(step) ?? []), `${i.path}: ${i.message}`]);
    }
    return m;
  }, [issues, text, stepIds]);
  const lineIssues: LineIssue[] = useMemo(
    () => [
      ...(parseError ? [parseError] : []),
      ...(text ? issues.map((i) => ({ line: lineOf(text, i.path), message: `${i.path}: ${i.message}` })) : []),
    ],
    [issues, parseError, text],
  );

  // React Flow measures each node once and keeps the size on the node object it
  // was given; the graph is rebuilt (new objects) whenever counts, selection or
  // the draft change, and a node without its size is hidden until measured again.
  // Kept here and handed back with every rebuild, a node never goes hidden.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const sized = changes.flatMap((c) => (c.type === 'dimensions' && c.dimensions ? [[c.id, c.dimensions] as const] : []));
    if (sized.length > 0) setMeasured((m) => ({ ...m, ...Object.fromEntries(sized) }));
  }, []);
  const graph = useMemo(() => {
    const g = current ? buildGraph(current, stats.data, issuesByStep, selected, simPath) : null;
    return g && { ...g, nodes: g.nodes.map((n) => (measured[n.id] ? { ...n, measured: measured[n.id] } : n)) };
  }, [current, stats.data, issuesByStep, selected, simPath, measured]);
  const editText = useCallback((t: string, select?: string | null) => {
    setText(t);
    setFailure(null);
    if (select !== undefined) setSelected(select);
  }, []);
  const tryEdit = (fn: () => string, select?: string | null) => {
    try {
      editText(fn(), select);
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const onConnect = (c: Connection) => {
    if (!text || !c.source || !c.target || c.source === TRIGGER_ID || c.source.startsWith('__goal_')) return;
    tryEdit(() =>
      connect(
        text,
        c.source,
        (c.sourceHandle ?? 'next').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        c.target === END_ID ? null : c.target,
      ),
    );
  };
  const add = () => {
    if (!text) return;
    try {
      const after = selected && stepIds.includes(selected) ? selected : null;
      const r = addStep(text, addType, after, { template: templates.data?.templates[0]?.key, journey: journeyKey });
      editText(r.text, r.id);
      setTab('node');
      setNotice(`Added step "${r.id}"${after ? ` after "${after}"` : ''}. Its settings are in the Step tab.`);
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const onNodeClick: NodeMouseHandler = useCallback((_e, node) => {
    setSelected(node.id);
    setTab('node');
  }, []);

  const dirty = text !== null && text !== savedText;
  const act = async (fn: () => Promise<string>) => {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      setNotice(await fn());
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setIssues(err.details);
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const save = () =>
    act(async () => {
      const body: unknown = parse(text ?? '');
      await api(`/v1/journeys/${journeyKey}`, { method: 'PUT', body });
      setSavedText(text);
      setDef(body as JourneyDefinition);
      setIssues([]);
      if (!detail.data) detail.reload();
      return 'Draft saved. Publish it to make it live.';
    });
  const setStatus = (action: 'pause' | 'resume') =>
    act(async () => {
      await api(`/v1/journeys/${journeyKey}/${action}`, { method: 'POST' });
      detail.reload();
      return action === 'pause' ? 'Paused: runs hold before their next step; no new contacts enter.' : 'Resumed: held runs continue.';
    });

  if (detail.error && !isNew) {
    return detail.error instanceof ApiError && detail.error.status === 404 ? (
      <ErrorBox error={new Error(`There is no journey "${journeyKey}".`)} />
    ) : (
      <ErrorBox error={detail.error} retry={detail.reload} />
    );
  }
  if ((!detail.data && !isNew) || text === null || !current || !graph) return <Loading what="the journey" />;
  const d: JourneyDetail = detail.data ?? {
    key: journeyKey,
    name: current.name || journeyKey,
    status: 'draft',
    latestVersion: null,
    versions: [],
    draft: current,
    running: [],
  };
  const selectedIndex = selected ? current.steps.findIndex((st) => st.id === selected) : -1;
  const selectedStep = selectedIndex >= 0 ? current.steps[selectedIndex] : undefined;
  const s = stats.data;
  const strandedNow = s
    ? Object.entries(s.steps).flatMap(([step, c]) => (c.now > 0 && !stepIds.includes(step) ? [[step, c.now] as const] : []))
    : [];

  return (
    <div className="journey-page">
      <p className="crumbs">
        <Link to="/journeys">Journeys</Link> / {d.key}
      </p>
      <PageHeader
        title={
          <>
            {d.name} <StatusBadge status={d.latestVersion === null ? 'draft' : d.status} />
          </>
        }
      >
        {canEdit && (
          <>
            <button type="button" className="btn" disabled={!dirty || busy || lineIssues.length > 0} onClick={() => void save()}>
              Save draft
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || dirty || !detail.data}
              title={dirty ? 'Save the draft first' : undefined}
              onClick={() => setPublishing(true)}
            >
              Publish…
            </button>
            {d.latestVersion !== null &&
              (d.status === 'paused' ? (
                <button type="button" className="btn" disabled={busy} onClick={() => void setStatus('resume')}>
                  Resume
                </button>
              ) : (
                <button type="button" className="btn" disabled={busy} onClick={() => void setStatus('pause')}>
                  Pause
                </button>
              ))}
          </>
        )}
      </PageHeader>
      <div className="journey-meta muted">
        <span>
          {d.latestVersion === null ? 'Never published' : `Live: v${d.latestVersion}, published ${when(d.versions[0]?.publishedAt)}`}
        </span>
        <span data-stat="in-flight">
          <b>{fmt(s?.inFlight ?? 0)}</b> in flight
          {s && Object.keys(s.byVersion).length > 1
            ? ` (${Object.entries(s.byVersion)
                .map(([v, n]) => `v${v}: ${fmt(n)}`)
                .join(', ')})`
            : ''}
        </span>
        {isNew && !detail.data && <span className="badge badge-draft">new: add steps, then save the draft</span>}
        {dirty && <span className="badge badge-draft">unsaved changes</span>}
        {!canEdit && <span className="badge">read only</span>}
        <span className="small" aria-live="polite">
          {s ? `Counts at ${new Date(s.at).toLocaleTimeString('en-GB')}` : ''}
        </span>
      </div>
      {strandedNow.length > 0 && (
        <p className="warning-line" data-stat="elsewhere">
          Also in flight, at steps this definition does not have (they finish on the version they started on):{' '}
          {strandedNow.map(([step, n]) => `${step} (${fmt(n)})`).join(', ')}
        </p>
      )}
      <ActionFeedback notice={notice} failure={failure} />
      <div className="journey-layout">
        <section
          className="canvas"
          aria-label="Journey graph"
          onKeyDown={(e) => {
            // Delete removes the selected step (when the focus is not in a field).
            if (!canEdit || !text || !selectedStep || (e.key !== 'Delete' && e.key !== 'Backspace')) return;
            if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement)
              return;
            e.preventDefault();
            tryEdit(() => removeStep(text, selectedStep.id), null);
          }}
        >
          {/* One bar over the canvas: which step to show on the left, adding steps on the right (they wrap, never overlap). */}
          <div className="canvas-bar">
            <label className="sr-only" htmlFor="step-picker">
              Show a step
            </label>
            <select
              id="step-picker"
              className="step-picker"
              value={selected ?? ''}
              onChange={(e) => {
                setSelected(e.target.value || null);
                setTab('node');
              }}
            >
              <option value="">Show a step…</option>
              <option value="__trigger">Trigger</option>
              {current.steps.map((st) => (
                <option key={st.id} value={st.id}>
                  {st.id}
                </option>
              ))}
            </select>
            {canEdit && (
              <div className="canvas-toolbar">
                <label htmlFor="add-step-type">Add a step</label>
                <select id="add-step-type" value={addType} onChange={(e) => setAddType(e.target.value as StepType)}>
                  {STEP_TYPES.map((t) => (
                    <option key={t.type} value={t.type}>
                      {t.label}
                    </option>
                  ))}
                </select>
                <button type="button" className="btn btn-small" onClick={add}>
                  {selectedStep ? `Add after ${selectedStep.id}` : 'Add at the end'}
                </button>
              </div>
            )}
          </div>
          {current.steps.length === 0 && (
            <p className="canvas-empty" role="note">
              No steps yet.{' '}
              {canEdit ? 'Pick a kind of step above and add it; drag from a step’s bottom handle to another step to connect them.' : ''}
            </p>
          )}
          <ReactFlow
            nodes={graph.nodes}
            edges={graph.edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodeClick={onNodeClick}
            onNodesChange={onNodesChange}
            nodesDraggable={false}
            nodesConnectable={canEdit}
            onConnect={onConnect}
            onPaneClick={() => setSelected(null)}
            fitView
            fitViewOptions={canEdit ? FIT_UNDER_TWO_ROW_BAR : FIT_UNDER_BAR}
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </section>
        <aside className="side">
          <div role="tablist" aria-label="Side panel" className="tabs">
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'node'}
              aria-controls="panel-node"
              id="tab-node"
              onClick={() => setTab('node')}
            >
              Step
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'yaml'}
              aria-controls="panel-yaml"
              id="tab-yaml"
              onClick={() => setTab('yaml')}
            >
              YAML{lineIssues.length ? ` (${lineIssues.length} ⚠)` : ''}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'simulate'}
              aria-controls="panel-simulate"
              id="tab-simulate"
              onClick={() => setTab('simulate')}
            >
              Simulate
            </button>
          </div>
          <div role="tabpanel" id="panel-node" aria-labelledby="tab-node" hidden={tab !== 'node'}>
            {selected ? (
              <NodePanel
                journeyKey={d.key}
                def={current}
                nodeId={selected}
                counts={s?.steps[selected]}
                issues={canEdit ? [] : (issuesByStep.get(selected) ?? [])}
                editor={
                  canEdit && selectedStep ? (
                    <StepEditor
                      key={selectedStep.id}
                      text={text}
                      step={selectedStep}
                      index={selectedIndex}
                      stepIds={stepIds}
                      issues={issues}
                      templates={(templates.data?.templates ?? []).map((t) => t.key)}
                      onText={editText}
                      onError={setFailure}
                    />
                  ) : canEdit && selected === TRIGGER_ID ? (
                    <TriggerEditor text={text} def={current} issues={issues} onText={editText} onError={setFailure} />
                  ) : undefined
                }
              />
            ) : (
              <p className="muted">Click a step in the graph (or pick one above it) to see its settings and the contacts waiting there.</p>
            )}
          </div>
          <div role="tabpanel" id="panel-simulate" aria-labelledby="tab-simulate" hidden={tab !== 'simulate'}>
            <SimulatePanel journeyKey={d.key} text={text} onPath={setSimPath} />
          </div>
          <div role="tabpanel" id="panel-yaml" aria-labelledby="tab-yaml" hidden={tab !== 'yaml'}>
            <YamlEditor value={text} onChange={setText} issues={lineIssues} readOnly={!canEdit} />
            {lineIssues.length > 0 && (
              <ul className="issues" aria-label="Problems in the definition">
                {lineIssues.map((i, n) => (
                  <li key={n}>
                    Line {i.line}: {i.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </aside>
      </div>
      {publishing && (
        <PublishDialog
          journeyKey={d.key}
          onClose={() => setPublishing(false)}
          onPublished={(v) => {
            setPublishing(false);
            setNotice(`Published v${v}. New runs start on it.`);
            detail.reload();
          }}
        />
      )}
    </div>
  );
}
