// Segments: saved ones, and a condition built with a simple builder (every or
// any of a few field rules) or written as JSON, with its live count and sample.
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { useCanEdit } from '../session';
import { ActionFeedback, Empty, ErrorBox, fmt, PageHeader } from '../ui';

interface Segment {
  key: string;
  name: string;
  description: string | null;
  condition: unknown;
}
interface Member {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  tier: string | null;
  tags: string[];
  createdAt: string;
}
interface Rule {
  field: string;
  op: string;
  value: string;
}

const FIELDS = [
  'tier',
  'tags',
  'email',
  'firstName',
  'lastName',
  'company',
  'locale',
  'currency',
  'timeZone',
  'lifetimeSpend',
  'loyaltyPoints',
  'purchaseCount',
  'newslettersSinceLastClick',
  'marketingConsent',
  'lastPurchaseAt',
  'lastClickAt',
  'lastOpenAt',
  'createdAt',
  'ownerEmail',
];
const NUMERIC = new Set(['lifetimeSpend', 'loyaltyPoints', 'purchaseCount', 'newslettersSinceLastClick']);
const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'exists', 'not_exists'];

function ruleCondition(r: Rule): Record<string, unknown> {
  if (r.op === 'exists' || r.op === 'not_exists') return { field: r.field, op: r.op };
  if (r.op === 'in')
    return {
      field: r.field,
      op: 'in',
      value: r.value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    };
  const value =
    r.field === 'marketingConsent'
      ? r.value === 'true'
      : NUMERIC.has(r.field) && r.value !== '' && !Number.isNaN(Number(r.value))
        ? Number(r.value)
        : r.value;
  return { field: r.field, op: r.op, value };
}
function builtCondition(mode: 'all' | 'any', rules: Rule[]): unknown {
  const parts = rules.map(ruleCondition);
  return parts.length === 1 ? parts[0] : { [mode]: parts };
}

export function SegmentsPage() {
  const canEdit = useCanEdit();
  const segments = useApi<{ segments: Segment[] }>('/v1/segments');
  const [mode, setMode] = useState<'all' | 'any'>('all');
  const [rules, setRules] = useState<Rule[]>([{ field: 'tier', op: 'eq', value: 'gold' }]);
  const [tab, setTab] = useState<'builder' | 'json'>('builder');
  const [json, setJson] = useState('');
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [live, setLive] = useState<{ count: number; contacts: Member[] } | null>(null);
  const [liveError, setLiveError] = useState<unknown>(null);
  const [counting, setCounting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const condition = useMemo<{ ok: true; value: unknown } | { ok: false; message: string }>(() => {
    if (tab === 'builder') return { ok: true, value: builtCondition(mode, rules) };
    try {
      return { ok: true, value: JSON.parse(json) as unknown };
    } catch (e) {
      return { ok: false, message: `Not JSON: ${errorText(e)}` };
    }
  }, [tab, mode, rules, json]);

  useEffect(() => {
    if (!condition.ok) return;
    const ctrl = new AbortController();
    const t = window.setTimeout(() => {
      setCounting(true);
      api<{ count: number; contacts: Member[] }>('/segments/preview', {
        body: { condition: condition.value, limit: 10 },
        signal: ctrl.signal,
      })
        .then((r) => {
          setLive(r);
          setLiveError(null);
        })
        .catch((e: unknown) => {
          if (!(e instanceof DOMException && e.name === 'AbortError')) setLiveError(e);
        })
        .finally(() => setCounting(false));
    }, 300);
    return () => {
      window.clearTimeout(t);
      ctrl.abort();
    };
  }, [condition]);

  const openJson = () => {
    if (condition.ok) setJson(JSON.stringify(condition.value, null, 2));
    setTab('json');
  };
  const load = (s: Segment) => {
    setKey(s.key);
    setName(s.name);
    setJson(JSON.stringify(s.condition, null, 2));
    setTab('json');
  };
  const save = async () => {
    setFailure(null);
    if (!condition.ok) return setFailure(condition.message);
    try {
      await api(`/v1/segments/${key}`, { method: 'PUT', body: { name, condition: condition.value } });
      setNotice(`Saved segment ${key}`);
      segments.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const setRule = (i: number, patch: Partial<Rule>) => setRules((rs) => rs.map((r, n) => (n === i ? { ...r, ...patch } : r)));

  return (
    <>
      <PageHeader title="Segments" />
      <div className="two-col">
        <section className="card" aria-labelledby="build-title">
          <h2 id="build-title">Condition</h2>
          <div className="tabs" role="tablist" aria-label="How to write the condition">
            <button
              type="button"
              role="tab"
              id="tab-builder"
              aria-controls="panel-builder"
              aria-selected={tab === 'builder'}
              onClick={() => setTab('builder')}
            >
              Builder
            </button>
            <button type="button" role="tab" id="tab-json" aria-controls="panel-json" aria-selected={tab === 'json'} onClick={openJson}>
              JSON
            </button>
          </div>
          {tab === 'builder' && (
            <div role="tabpanel" id="panel-builder" aria-labelledby="tab-builder" className="pad-y">
              <div className="field">
                <label htmlFor="seg-mode">Contacts matching</label>
                <select id="seg-mode" value={mode} onChange={(e) => setMode(e.target.value === 'any' ? 'any' : 'all')}>
                  <option value="all">every rule</option>
                  <option value="any">any rule</option>
                </select>
              </div>
              <ol className="rules">
                {rules.map((r, i) => (
                  <li key={i} className="rule" data-rule={i}>
                    <label className="sr-only" htmlFor={`rule-field-${i}`}>{`Rule ${i + 1} field`}</label>
                    <select id={`rule-field-${i}`} value={r.field} onChange={(e) => setRule(i, { field: e.target.value })}>
                      {FIELDS.map((f) => (
                        <option key={f}>{f}</option>
                      ))}
                      {r.field.startsWith('attributes.') && <option>{r.field}</option>}
                    </select>
                    <label className="sr-only" htmlFor={`rule-op-${i}`}>{`Rule ${i + 1} operator`}</label>
                    <select id={`rule-op-${i}`} value={r.op} onChange={(e) => setRule(i, { op: e.target.value })}>
                      {OPS.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                    {r.op !== 'exists' && r.op !== 'not_exists' && (
                      <>
                        <label className="sr-only" htmlFor={`rule-value-${i}`}>{`Rule ${i + 1} value`}</label>
                        <input
                          id={`rule-value-${i}`}
                          value={r.value}
                          onChange={(e) => setRule(i, { value: e.target.value })}
                          placeholder={r.op === 'in' ? 'a, b, c' : 'value'}
                        />
                      </>
                    )}
                    <button
                      type="button"
                      className="btn btn-quiet-dark"
                      aria-label={`Remove rule ${i + 1}`}
                      disabled={rules.length === 1}
                      onClick={() => setRules((rs) => rs.filter((_, n) => n !== i))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ol>
              <button type="button" className="btn" onClick={() => setRules((rs) => [...rs, { field: 'tags', op: 'contains', value: '' }])}>
                Add a rule
              </button>
              <p className="muted small">Events, sums and nesting: use the JSON tab (the journey condition format).</p>
            </div>
          )}
          {tab === 'json' && (
            <div role="tabpanel" id="panel-json" aria-labelledby="tab-json" className="pad-y">
              <label htmlFor="seg-json">Condition (JSON)</label>
              <textarea
                id="seg-json"
                className="code-input"
                rows={12}
                value={json}
                onChange={(e) => setJson(e.target.value)}
                spellCheck={false}
              />
            </div>
          )}
          {!condition.ok && (
            <p className="form-error" role="alert">
              {condition.message}
            </p>
          )}
          {canEdit && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
            >
              <div className="field">
                <label htmlFor="seg-key">Key</label>
                <input
                  id="seg-key"
                  required
                  pattern="[a-z][a-z0-9_\-]{0,62}"
                  value={key}
                  onChange={(e) => setKey(e.target.value.trim())}
                  placeholder="gold-customers"
                />
              </div>
              <div className="field grow">
                <label htmlFor="seg-name">Name</label>
                <input id="seg-name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="Gold customers" />
              </div>
              <button type="submit" className="btn btn-primary" disabled={!condition.ok}>
                Save segment
              </button>
            </form>
          )}
          <ActionFeedback notice={notice} failure={failure} />
        </section>
        <section className="card" aria-labelledby="live-title" aria-busy={counting}>
          <h2 id="live-title">Who matches now</h2>
          {liveError ? (
            <div className="form-error" role="alert">
              {errorText(liveError)}
              {liveError instanceof ApiError && liveError.details.length > 1 && (
                <ul>
                  {liveError.details.map((d, n) => (
                    <li key={n}>
                      {d.path}: {d.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ) : null}
          {live && !liveError && (
            <>
              <p className="big-number" data-testid="segment-count" aria-live="polite">
                <b>{fmt(live.count)}</b> {live.count === 1 ? 'contact' : 'contacts'}
              </p>
              {live.contacts.length > 0 ? (
                <ul className="plain-list" aria-label="Newest matching contacts">
                  {live.contacts.map((c) => (
                    <li key={c.id}>
                      <Link to={`/contacts/${c.id}`}>{c.email}</Link>{' '}
                      <span className="muted small">{[c.tier, ...c.tags].filter(Boolean).join(' · ')}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">No contact matches this condition yet.</p>
              )}
            </>
          )}
          {!live && !liveError && <p className="muted">Counting…</p>}
        </section>
      </div>
      <section aria-labelledby="saved-title" className="section-gap">
        <h2 id="saved-title">Saved segments</h2>
        {segments.error ? <ErrorBox error={segments.error} retry={segments.reload} /> : null}
        {segments.data && segments.data.segments.length === 0 && (
          <Empty title="No saved segments">
            <p className="muted">Build a condition above and save it: newsletters are sent to a saved segment.</p>
          </Empty>
        )}
        {segments.data && segments.data.segments.length > 0 && (
          <ul className="plain-list">
            {segments.data.segments.map((s) => (
              <li key={s.key} data-segment={s.key}>
                <button type="button" className="linklike" onClick={() => load(s)}>
                  {s.name}
                </button>{' '}
                <span className="muted small">{s.key}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
