// One journey: the graph with live counts, the YAML beside it, a clicked
// node's settings and contacts, save draft, publish, pause and resume.
import { Background, Controls, ReactFlow, type NodeMouseHandler } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { JourneyStats } from '../../../journeys/insights';
import type { JourneyDefinition } from '../../../journeys/schema';
import { api, ApiError, errorText, type ErrorDetail } from '../api';
import { useApi } from '../hooks';
import { buildGraph } from '../journey/graph';
import { NodePanel } from '../journey/NodePanel';
import { CountedEdge, JourneyNode } from '../journey/nodes';
import { PublishDialog } from '../journey/PublishDialog';
import { lineOf, stepOfPath } from '../journey/yaml-lines';
import { YamlEditor, type LineIssue } from '../journey/YamlEditor';
import { Link } from '../router';
import { useCanEdit } from '../session';
import { ActionFeedback, ErrorBox, fmt, Loading, PageHeader, StatusBadge, when } from '../ui';

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
  const [tab, setTab] = useState<'node' | 'yaml'>('yaml');
  const [publishing, setPublishing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
        const line = typeof err === 'object' && err !== null && 'linePos' in err && Array.isArray(err.linePos) ? Number(err.linePos[0]?.line ?? 1) : 1;
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

  const stepIds = useMemo(() => (def?.steps ?? []).map((s) => s.id), [def]);
  const issuesByStep = useMemo(() => {
    const m = new Map<string, string[]>();
    let ids = stepIds;
    try {
      const raw: unknown = text ? parse(text) : null;
      if (raw && typeof raw === 'object' && 'steps' in raw && Array.isArray(raw.steps)) ids = raw.steps.map((s: unknown) => (s && typeof s === 'object' && 'id' in s ? String(s.id) : ''));
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
    () => [...(parseError ? [parseError] : []), ...(text ? issues.map((i) => ({ line: lineOf(text, i.path), message: `${i.path}: ${i.message}` })) : [])],
    [issues, parseError, text],
  );

  const graph = useMemo(() => (def ? buildGraph(def, stats.data, issuesByStep, selected) : null), [def, stats.data, issuesByStep, selected]);
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
      return 'Draft saved. Publish it to make it live.';
    });
  const setStatus = (action: 'pause' | 'resume') =>
    act(async () => {
      await api(`/v1/journeys/${journeyKey}/${action}`, { method: 'POST' });
      detail.reload();
      return action === 'pause' ? 'Paused: runs hold before their next step; no new contacts enter.' : 'Resumed: held runs continue.';
    });

  if (detail.error) {
    return detail.error instanceof ApiError && detail.error.status === 404 ? (
      <ErrorBox error={new Error(`There is no journey "${journeyKey}".`)} />
    ) : (
      <ErrorBox error={detail.error} retry={detail.reload} />
    );
  }
  if (!detail.data || text === null || !def || !graph) return <Loading what="the journey" />;
  const d = detail.data;
  const s = stats.data;
  const strandedNow = s ? Object.entries(s.steps).flatMap(([step, c]) => (c.now > 0 && !stepIds.includes(step) ? [[step, c.now] as const] : [])) : [];

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
            <button type="button" className="btn btn-primary" disabled={busy || dirty} title={dirty ? 'Save the draft first' : undefined} onClick={() => setPublishing(true)}>
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
        <span>{d.latestVersion === null ? 'Never published' : `Live: v${d.latestVersion}, published ${when(d.versions[0]?.publishedAt)}`}</span>
        <span data-stat="in-flight">
          <b>{fmt(s?.inFlight ?? 0)}</b> in flight
          {s && Object.keys(s.byVersion).length > 1 ? ` (${Object.entries(s.byVersion).map(([v, n]) => `v${v}: ${fmt(n)}`).join(', ')})` : ''}
        </span>
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
        <section className="canvas" aria-label="Journey graph">
          <ReactFlow
            nodes={graph.nodes}
            edges={graph.edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodeClick={onNodeClick}
            nodesDraggable={false}
            nodesConnectable={false}
            fitView
            fitViewOptions={{ padding: 0.15 }}
            minZoom={0.2}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
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
            {def.steps.map((st) => (
              <option key={st.id} value={st.id}>
                {st.id}
              </option>
            ))}
          </select>
        </section>
        <aside className="side">
          <div role="tablist" aria-label="Side panel" className="tabs">
            <button type="button" role="tab" aria-selected={tab === 'node'} aria-controls="panel-node" id="tab-node" onClick={() => setTab('node')}>
              Step
            </button>
            <button type="button" role="tab" aria-selected={tab === 'yaml'} aria-controls="panel-yaml" id="tab-yaml" onClick={() => setTab('yaml')}>
              YAML{lineIssues.length ? ` (${lineIssues.length} ⚠)` : ''}
            </button>
          </div>
          <div role="tabpanel" id="panel-node" aria-labelledby="tab-node" hidden={tab !== 'node'}>
            {selected ? (
              <NodePanel journeyKey={d.key} def={def} nodeId={selected} counts={s?.steps[selected]} issues={issuesByStep.get(selected) ?? []} />
            ) : (
              <p className="muted">Click a step in the graph (or pick one above it) to see its settings and the contacts waiting there.</p>
            )}
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
