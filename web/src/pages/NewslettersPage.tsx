// Newsletters: compose (a newsletter template and a saved segment, with the
// audience it reaches now), send now or at a time, then watch each one's
// progress live, pause, resume or cancel it, and see its results. A scheduled
// one shows when it starts and can be cancelled until then.
import { useEffect, useState } from 'react';
import type { NewsletterView } from '../../../newsletters/broadcasts';
import type { NewsletterResults } from '../../../newsletters/results';
import { api, errorText } from '../api';
import { useApi } from '../hooks';
import { useCanEdit } from '../session';
import { ActionFeedback, Empty, ErrorBox, fmt, Loading, PageHeader, pct, StatusBadge, when } from '../ui';

type Newsletter = Omit<NewsletterView, 'createdAt' | 'finishedAt' | 'sendAt'> & {
  createdAt: string;
  finishedAt: string | null;
  sendAt: string | null;
};
const RUNNING = new Set(['starting', 'scheduled', 'snapshotting', 'sending', 'paused']);

/** "in 2 h 5 min": how long until `iso`, coarser as it is further away. */
function timeUntil(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'starting now';
  if (s < 60) return `in ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `in ${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `in ${h} h ${m % 60} min`;
  return `in ${Math.floor(h / 24)} d ${h % 24} h`;
}

/** When a scheduled newsletter starts, counting down. */
function Scheduled({ n }: { n: Newsletter }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  if (!n.sendAt) return null;
  return (
    <p className="small" data-testid="scheduled">
      Starts {when(n.sendAt)} ({timeUntil(n.sendAt, now)}). The audience is taken then; until then it can be cancelled.
    </p>
  );
}

/** The value of a datetime-local input for a time, in the browser's time zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function Progress({ n }: { n: Newsletter }) {
  const p = n.progress;
  const done = p.sent + p.failed + p.suppressed + p.skipped;
  const total = p.audience ?? 0;
  const value = total > 0 ? Math.round((100 * done) / total) : n.status === 'completed' ? 100 : 0;
  return (
    <div className="progress-block">
      <progress max={100} value={value} aria-label={`${n.name}: progress`} aria-valuetext={`${value}%`} />
      <span className="small" data-testid="progress-text">
        {p.audience === null
          ? 'Choosing the audience…'
          : `${fmt(done)} of ${fmt(total)} done (${value}%) · ${fmt(p.sent)} sent${p.failed ? `, ${fmt(p.failed)} failed` : ''}${p.suppressed ? `, ${fmt(p.suppressed)} suppressed` : ''}${p.skipped ? `, ${fmt(p.skipped)} skipped` : ''}`}
      </span>
    </div>
  );
}

function Results({ id }: { id: string }) {
  const { data, error } = useApi<{ results: NewsletterResults }>(`/newsletters/${id}/results`, 10_000);
  if (error) return <p className="form-error">{errorText(error)}</p>;
  if (!data) return <span className="muted small">Loading results…</span>;
  const r = data.results;
  return (
    <dl className="facts results" data-testid="results">
      <dt>Sent</dt>
      <dd>{fmt(r.sent)}</dd>
      <dt>Opened</dt>
      <dd>
        {fmt(r.opened)} ({pct(r.opened, r.sent)})
      </dd>
      <dt>Clicked</dt>
      <dd>
        {fmt(r.clicked)} ({pct(r.clicked, r.sent)})
      </dd>
      <dt>Unsubscribed</dt>
      <dd>
        {fmt(r.unsubscribed)} ({pct(r.unsubscribed, r.sent)})
      </dd>
    </dl>
  );
}

function Compose({ onSent }: { onSent(n: Newsletter): void }) {
  const templates = useApi<{ templates: { key: string; name: string; category: string }[] }>('/v1/templates');
  const segments = useApi<{ segments: { key: string; name: string }[] }>('/v1/segments');
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [segment, setSegment] = useState('');
  const [rate, setRate] = useState(600);
  const [when_, setWhen] = useState<'now' | 'at'>('now');
  const [sendAt, setSendAt] = useState(() => localInput(new Date(Date.now() + 60 * 60 * 1000)));
  const [audience, setAudience] = useState<{ members: number; audience: number } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const newsletterTemplates = templates.data?.templates.filter((t) => t.category === 'newsletter') ?? [];

  useEffect(() => {
    setAudience(null);
    if (!segment) return;
    const ctrl = new AbortController();
    api<{ members: number; audience: number }>(`/newsletters/audience?segment=${encodeURIComponent(segment)}`, {
      signal: ctrl.signal,
    }).then(setAudience, () => undefined);
    return () => ctrl.abort();
  }, [segment]);

  const send = async () => {
    setFailure(null);
    setSending(true);
    try {
      // The input is the browser's local time; the API takes an instant (ISO-8601 in UTC).
      const at = when_ === 'at' ? new Date(sendAt) : null;
      if (at && Number.isNaN(at.getTime())) throw new Error('sendAt: choose a date and a time');
      const out = await api<{ newsletter: Newsletter }>('/v1/newsletters', {
        body: { name, template, segment, ratePerMinute: rate, ...(at ? { sendAt: at.toISOString() } : {}) },
      });
      onSent(out.newsletter);
      setName('');
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setSending(false);
    }
  };
  if (templates.error || segments.error)
    return <ErrorBox error={templates.error ?? segments.error} retry={() => (templates.reload(), segments.reload())} />;
  return (
    <form
      className="card compose"
      aria-labelledby="compose-title"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h2 id="compose-title">New newsletter</h2>
      <div className="template-fields">
        <div className="field grow">
          <label htmlFor="nl-name">Name</label>
          <input id="nl-name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="December news" />
        </div>
        <div className="field">
          <label htmlFor="nl-template">Template</label>
          <select id="nl-template" required value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">Choose…</option>
            {newsletterTemplates.map((t) => (
              <option key={t.key} value={t.key}>
                {t.name} ({t.key})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nl-segment">Segment</label>
          <select id="nl-segment" required value={segment} onChange={(e) => setSegment(e.target.value)}>
            <option value="">Choose…</option>
            {segments.data?.segments.map((s) => (
              <option key={s.key} value={s.key}>
                {s.name} ({s.key})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nl-rate">Per minute at most</label>
          <input id="nl-rate" type="number" min={1} max={100000} value={rate} onChange={(e) => setRate(Number(e.target.value))} />
        </div>
      </div>
      {templates.data && newsletterTemplates.length === 0 && (
        <p className="muted small">No template has the category “newsletter” yet: create one on the Templates page.</p>
      )}
      {segments.data && segments.data.segments.length === 0 && (
        <p className="muted small">No saved segment yet: build one on the Segments page.</p>
      )}
      <p className="audience" aria-live="polite" data-testid="audience">
        {segment
          ? audience
            ? `${fmt(audience.audience)} of the segment's ${fmt(audience.members)} contacts are subscribed to the newsletter and would get it now.`
            : 'Counting the audience…'
          : 'Choose a segment to see who it reaches.'}
      </p>
      <fieldset className="send-when">
        <legend>When</legend>
        <label className="choice">
          <input type="radio" name="nl-when" value="now" checked={when_ === 'now'} onChange={() => setWhen('now')} /> Send now
        </label>
        <label className="choice">
          <input type="radio" name="nl-when" value="at" checked={when_ === 'at'} onChange={() => setWhen('at')} /> Send at a time
        </label>
        {when_ === 'at' && (
          <div className="field">
            <label htmlFor="nl-send-at">Send at (your local time)</label>
            <input
              id="nl-send-at"
              type="datetime-local"
              required
              min={localInput(new Date())}
              value={sendAt}
              onChange={(e) => setSendAt(e.target.value)}
            />
          </div>
        )}
      </fieldset>
      <ActionFeedback failure={failure} />
      <button type="submit" className="btn btn-primary" disabled={sending || !template || !segment || !name.trim()}>
        {when_ === 'at' ? 'Schedule' : 'Send now'}
      </button>
    </form>
  );
}

export function NewslettersPage() {
  const canEdit = useCanEdit();
  const list = useApi<{ newsletters: Newsletter[] }>('/v1/newsletters', 3000);
  const [live, setLive] = useState<Record<string, Newsletter>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // Scheduled ones have no run to ask yet: the list's own refresh is enough for them.
  const running = (list.data?.newsletters ?? []).filter((n) => RUNNING.has(n.status) && n.status !== 'scheduled').map((n) => n.id);

  // A running newsletter's counts come live from its workflow, once a second.
  useEffect(() => {
    if (running.length === 0) return;
    const id = window.setInterval(() => {
      for (const nid of running)
        api<{ newsletter: Newsletter }>(`/v1/newsletters/${nid}`).then(
          (r) => setLive((l) => ({ ...l, [nid]: r.newsletter })),
          () => undefined,
        );
    }, 1000);
    return () => window.clearInterval(id);
  }, [running.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const control = async (n: Newsletter, action: 'pause' | 'resume' | 'cancel') => {
    setFailure(null);
    try {
      await api(`/v1/newsletters/${n.id}/${action}`, { method: 'POST' });
      setNotice(`${action === 'pause' ? 'Pausing' : action === 'resume' ? 'Resuming' : 'Cancelling'} “${n.name}”`);
      list.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const rows = (list.data?.newsletters ?? []).map((n) => (RUNNING.has(n.status) && live[n.id] ? live[n.id]! : n));
  return (
    <>
      <PageHeader title="Newsletters" />
      {canEdit && (
        <Compose
          onSent={(n) => {
            setNotice(n.sendAt ? `Scheduled “${n.name}” for ${when(n.sendAt)}` : `Sending “${n.name}”`);
            list.reload();
          }}
        />
      )}
      <ActionFeedback notice={notice} failure={failure} />
      <h2 className="section-gap">Sent and sending</h2>
      {list.error ? <ErrorBox error={list.error} retry={list.reload} /> : null}
      {!list.data && !list.error && <Loading what="newsletters" />}
      {list.data && rows.length === 0 && (
        <Empty title="No newsletter sent yet">
          <p className="muted">Compose one above: a newsletter template, a saved segment, and send.</p>
        </Empty>
      )}
      <ul className="approvals">
        {rows.map((n) => (
          <li key={n.id} className="card" data-newsletter={n.name}>
            <h3 className="row-title">
              {n.name} <StatusBadge status={n.status} />
            </h3>
            <p className="muted small">
              Template {n.template} · segment {n.segment} · {fmt(n.ratePerMinute)}/min ·{' '}
              {n.sendAt ? `created ${when(n.createdAt)}, for ${when(n.sendAt)}` : `started ${when(n.createdAt)}`}
              {n.finishedAt ? ` · finished ${when(n.finishedAt)}` : ''}
            </p>
            {n.status === 'scheduled' ? <Scheduled n={n} /> : <Progress n={n} />}
            {canEdit && RUNNING.has(n.status) && (
              <div className="actions">
                {n.status === 'scheduled' ? null : n.status === 'paused' ? (
                  <button type="button" className="btn" onClick={() => void control(n, 'resume')}>
                    Resume
                  </button>
                ) : (
                  <button type="button" className="btn" onClick={() => void control(n, 'pause')}>
                    Pause
                  </button>
                )}
                <button type="button" className="btn btn-danger" onClick={() => void control(n, 'cancel')}>
                  Cancel
                </button>
              </div>
            )}
            {n.progress.sent > 0 && <Results id={n.id} />}
          </li>
        ))}
      </ul>
    </>
  );
}
