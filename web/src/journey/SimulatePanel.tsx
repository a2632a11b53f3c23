// Simulate before publishing: a contact (stored, or described) and future
// events in, the predicted path out (steps with simulated times, emails with
// their send times, decisions with their reasons), from the server running the
// real interpreter on a virtual clock (POST /v1/journeys/{key}/simulate).
import { useId, useState } from 'react';
import { parse } from 'yaml';
import type { SimulationResult } from '../../../simulator/simulate';
import { api, ApiError, errorText, type ErrorDetail } from '../api';
import { when } from '../ui';

interface EventRow {
  type: string;
  properties: string;
  at: string;
}

/** "+2d 3h" after the start. */
export function offset(fromIso: string, toIso: string): string {
  let ms = Date.parse(toIso) - Date.parse(fromIso);
  if (ms <= 0) return '+0';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) parts.push(`${n}${unit}`);
    ms -= n * size;
  }
  return `+${parts.slice(0, 2).join(' ')}`;
}

export function SimulatePanel({ journeyKey, text, onPath }: { journeyKey: string; text: string; onPath(steps: string[]): void }) {
  const ids = useId();
  const [mode, setMode] = useState<'describe' | 'stored'>('describe');
  const [describe, setDescribe] = useState('tier: gold\ntimeZone: Europe/Paris\nattributes: { plan: pro }');
  const [email, setEmail] = useState('');
  const [events, setEvents] = useState<EventRow[]>([{ type: 'page_viewed', properties: '{ path: /pricing }', at: '1d' }]);
  const [result, setResult] = useState<SimulationResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setFailure(null);
    setDetails([]);
    try {
      const props = (s: string, where: string) => {
        try {
          const v: unknown = s.trim() ? parse(s) : {};
          return v;
        } catch {
          throw new Error(`${where} is not valid YAML.`);
        }
      };
      const body = {
        contact: mode === 'describe' ? { describe: props(describe, 'The contact') } : { email: email.trim() },
        events: events
          .filter((e) => e.type.trim())
          .map((e, i) => ({
            type: e.type.trim(),
            properties: props(e.properties, `Event ${i + 1}'s properties`),
            at: e.at.trim() || '0s',
          })),
        definition: parse(text),
      };
      const r = await api<SimulationResult>(`/v1/journeys/${journeyKey}/simulate`, { body });
      setResult(r);
      onPath(r.steps.map((s) => s.step));
    } catch (err) {
      setResult(null);
      onPath([]);
      if (err instanceof ApiError) setDetails(err.details);
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const errorAt = (path: string) => details.filter((d) => d.path === path || d.path.startsWith(`${path}.`)).map((d) => d.message);
  const setRow = (i: number, patch: Partial<EventRow>) => setEvents((rows) => rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));

  return (
    <div className="simulate">
      <p className="muted small">
        Runs the journey's own interpreter on simulated time, on the definition as it is in the editor now. Nothing is sent or stored.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <fieldset>
          <legend>Contact</legend>
          <label className="check">
            <input type="radio" name={`${ids}-mode`} checked={mode === 'describe'} onChange={() => setMode('describe')} /> Describe one
          </label>
          <label className="check">
            <input type="radio" name={`${ids}-mode`} checked={mode === 'stored'} onChange={() => setMode('stored')} /> A stored contact
          </label>
          {mode === 'describe' ? (
            <div className="field">
              <label htmlFor={`${ids}-describe`}>Attributes (YAML)</label>
              <textarea
                id={`${ids}-describe`}
                rows={3}
                spellCheck={false}
                value={describe}
                onChange={(e) => setDescribe(e.target.value)}
                aria-describedby={`${ids}-describe-hint`}
              />
              <span id={`${ids}-describe-hint`} className="muted small">
                Profile fields and tier, lifetimeSpend, loyaltyPoints, tags, subscriptions, lastPurchaseAt…
              </span>
              {errorAt('contact').map((m) => (
                <span key={m} className="field-error">
                  {m}
                </span>
              ))}
            </div>
          ) : (
            <div className="field">
              <label htmlFor={`${ids}-email`}>Email</label>
              <input id={`${ids}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
              {errorAt('contact').map((m) => (
                <span key={m} className="field-error">
                  {m}
                </span>
              ))}
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>Future events</legend>
          {events.length === 0 && <p className="muted small">No events: the run only follows its timers.</p>}
          {events.map((e, i) => (
            <div key={i} className="event-row">
              <div className="field">
                <label htmlFor={`${ids}-t${i}`}>Event {i + 1} type</label>
                <input id={`${ids}-t${i}`} value={e.type} onChange={(x) => setRow(i, { type: x.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${ids}-p${i}`}>Properties</label>
                <input
                  id={`${ids}-p${i}`}
                  value={e.properties}
                  spellCheck={false}
                  onChange={(x) => setRow(i, { properties: x.target.value })}
                />
              </div>
              <div className="field field-narrow">
                <label htmlFor={`${ids}-a${i}`}>After</label>
                <input
                  id={`${ids}-a${i}`}
                  value={e.at}
                  onChange={(x) => setRow(i, { at: x.target.value })}
                  aria-describedby={`${ids}-at-hint`}
                />
              </div>
              <button
                type="button"
                className="btn btn-small"
                aria-label={`Remove event ${i + 1}`}
                onClick={() => setEvents((rows) => rows.filter((_, k) => k !== i))}
              >
                ✕
              </button>
              {[...errorAt(`events.${i}`)].map((m) => (
                <span key={m} className="field-error">
                  Event {i + 1}: {m}
                </span>
              ))}
            </div>
          ))}
          <span id={`${ids}-at-hint`} className="muted small">
            "After" is an offset from the start: 0s, 30m, 2d, 1d12h.
          </span>
          <div>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setEvents((rows) => [...rows, { type: 'purchase', properties: '{ amount: 50 }', at: '3d' }])}
            >
              Add an event
            </button>
          </div>
        </fieldset>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Simulating…' : 'Simulate'}
        </button>
      </form>
      {failure && (
        <div className="form-error" role="alert">
          {failure}
          {details.length > 1 && (
            <ul>
              {details.map((d) => (
                <li key={`${d.path}:${d.message}`}>
                  {d.path}: {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {result && <SimulationView r={result} />}
    </div>
  );
}

function SimulationView({ r }: { r: SimulationResult }) {
  const end = r.end;
  return (
    <section className="sim-result" aria-label="Predicted path" aria-live="polite">
      <h3>Predicted path</h3>
      <p className="muted small">Starting {when(r.startedAt)}.</p>
      {r.steps.length === 0 && <p className="muted">No step runs.</p>}
      <ol className="sim-steps">
        {r.steps.map((s, i) => (
          <li key={i} data-sim-step={s.step}>
            <span className="sim-time" title={when(s.enteredAt)}>
              {offset(r.startedAt, s.enteredAt)}
            </span>{' '}
            <strong>{s.step}</strong> <span className="muted small">{s.type.replace(/_/g, ' ')}</span> → <code>{s.outcome}</code>
            {s.leftAt !== s.enteredAt && <span className="muted small"> (until {offset(r.startedAt, s.leftAt)})</span>}
            {s.why && <div className="small">Why: {s.why}</div>}
          </li>
        ))}
      </ol>
      <p className="sim-end" data-sim-end={end.status}>
        <strong>{end.status === 'waiting' ? 'Still waiting' : end.status === 'stopped' ? 'Stopped' : `Ends: ${end.status}`}</strong> at{' '}
        {offset(r.startedAt, end.at)}
        {end.reason ? ` — ${end.reason}` : ''}
      </p>
      <h4>Emails</h4>
      {r.emails.length === 0 ? (
        <p className="muted small">No email is sent.</p>
      ) : (
        <table className="table compact">
          <caption className="sr-only">Simulated emails</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Step</th>
              <th scope="col">Template</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {r.emails.map((e, i) => (
              <tr key={i} data-sim-email={e.step}>
                <td title={when(e.at)}>{offset(r.startedAt, e.at)}</td>
                <td>{e.step}</td>
                <td>{e.template}</td>
                <td>
                  {e.outcome}
                  {e.reason ? ` (${e.reason})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Decisions</h4>
      {r.decisions.length === 0 ? (
        <p className="muted small">No branch, split or wait for an event is decided.</p>
      ) : (
        <ul>
          {r.decisions.map((d, i) => (
            <li key={i} data-sim-decision={d.step}>
              {offset(r.startedAt, d.at)} <strong>{d.step}</strong> → <code>{d.outcome}</code>: {d.why}
            </li>
          ))}
        </ul>
      )}
      {r.events.some((e) => !e.heard) && (
        <p className="muted small">
          Not heard by the run (it does not wait for them, or it had ended):{' '}
          {r.events
            .filter((e) => !e.heard)
            .map((e) => `${e.type} at ${offset(r.startedAt, e.at)}`)
            .join(', ')}
          . They still count in conditions.
        </p>
      )}
    </section>
  );
}
