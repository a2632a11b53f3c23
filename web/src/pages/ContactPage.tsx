// One contact: the profile, consent, the timeline (newest first), and the
// actions: unsubscribe from all marketing, enrol in a journey, export
// everything held (GDPR access request, JSON), erase (after typing the address).
import { useEffect, useRef, useState } from 'react';
import type { ContactView } from '../../../contacts/service';
import type { TimelineEntry } from '../../../contacts/timeline';
import { api, ApiError, errorText } from '../api';
import { useApi } from '../hooks';
import { Link, useRouter } from '../router';
import { useCanEdit } from '../session';
import { ActionFeedback, ErrorBox, fmt, Loading, PageHeader, when } from '../ui';

/** JSON turns the Date fields into strings. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type Contact = Json<ContactView>;
type Entry = Json<TimelineEntry> & { at: string };

/** An email's error, a journey step's `why` (the server's one field for the reason of a step). */
function reasonOf(e: Entry): string | null {
  if (e.kind === 'email') return e.error;
  if (e.kind === 'journey_step') return e.why;
  return null;
}

function describe(e: Entry): string {
  switch (e.kind) {
    case 'event':
      return `Event ${e.type} (${e.source})`;
    case 'email':
      return `Email ${e.template} v${e.templateVersion}: ${e.status}${e.opens ? `, opened ${e.opens}×` : ''}${e.clicks ? `, clicked ${e.clicks}×` : ''}`;
    case 'journey_step':
      return `${e.journey} › ${e.step} (${e.stepType.replace(/_/g, ' ')}): ${e.outcome.replace(/_/g, ' ')}`;
  }
}

function EraseDialog({ contact, onClose, onErased }: { contact: Contact; onClose(): void; onErased(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => ref.current?.showModal(), []);
  const erase = async () => {
    try {
      await api(`/v1/contacts/${contact.id}`, { method: 'DELETE' });
      onErased();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="erase-title" onClose={onClose}>
      <h2 id="erase-title">Erase {contact.email}?</h2>
      <p>
        Their name, address, attributes and what their events, emails and steps said are erased now, and their journeys end. Counts and
        dates stay. This cannot be undone.
      </p>
      <label htmlFor="erase-confirm">Type the email address to confirm</label>
      <input id="erase-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={typed.trim().toLowerCase() !== contact.email}
          onClick={() => void erase()}
        >
          Erase contact
        </button>
      </div>
    </dialog>
  );
}

/** Enrols the contact in a published, active journey (POST /v1/journeys/{key}/enrol). */
function Enrol({ contactId, onDone }: { contactId: string; onDone(notice: string | null, failure: string | null): void }) {
  const journeys = useApi<{ journeys: { key: string; name: string; status: string; latestVersion: number | null }[] }>('/v1/journeys');
  const [key, setKey] = useState('');
  const usable = (journeys.data?.journeys ?? []).filter((j) => j.status === 'active' && j.latestVersion !== null);
  const enrol = async () => {
    try {
      await api(`/v1/journeys/${key}/enrol`, { body: { contact: { id: contactId } } });
      onDone(`Enrolled in ${key}: the run starts in a moment.`, null);
    } catch (err) {
      onDone(null, errorText(err));
    }
  };
  return (
    <form
      className="inline-form enrol"
      onSubmit={(e) => {
        e.preventDefault();
        if (key) void enrol();
      }}
    >
      <div className="field">
        <label htmlFor="enrol-journey">Enrol in a journey</label>
        <select id="enrol-journey" value={key} onChange={(e) => setKey(e.target.value)}>
          <option value="">Choose…</option>
          {usable.map((j) => (
            <option key={j.key} value={j.key}>
              {j.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn" disabled={!key}>
        Enrol
      </button>
    </form>
  );
}

export function ContactPage({ contactId }: { contactId: string }) {
  const canEdit = useCanEdit();
  const { navigate } = useRouter();
  const contact = useApi<{ contact: Contact }>(`/v1/contacts/${contactId}`);
  const timeline = useApi<{ entries: Entry[] }>(`/v1/contacts/${contactId}/timeline?limit=100`, 5000);
  const [erasing, setErasing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  if (contact.error) {
    return contact.error instanceof ApiError && contact.error.status === 404 ? (
      <ErrorBox error={new Error('There is no such contact.')} />
    ) : (
      <ErrorBox error={contact.error} retry={contact.reload} />
    );
  }
  if (!contact.data) return <Loading what="the contact" />;
  const c = contact.data.contact;
  const subs =
    c.subscriptions && typeof c.subscriptions === 'object' && !Array.isArray(c.subscriptions) ? Object.entries(c.subscriptions) : [];
  const unsubscribe = async () => {
    setFailure(null);
    try {
      await api(`/contacts/${c.id}/unsubscribe`, { method: 'POST' });
      setNotice('Unsubscribed from all marketing email.');
      contact.reload();
      timeline.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return (
    <>
      <p className="crumbs">
        <Link to="/contacts">Contacts</Link> / {c.email}
      </p>
      <PageHeader title={name || c.email}>
        {/* A GET with the session cookie: the browser saves the JSON as a file. */}
        <a className="btn" href={`/dashboard/api/v1/contacts/${c.id}/export?download=1`} download={`contact-${c.id}.json`}>
          Export data (JSON)
        </a>
        {canEdit && (
          <>
            <button type="button" className="btn" onClick={() => void unsubscribe()}>
              Unsubscribe from marketing
            </button>
            <button type="button" className="btn btn-danger" onClick={() => setErasing(true)}>
              Erase…
            </button>
          </>
        )}
      </PageHeader>
      <ActionFeedback notice={notice} failure={failure} />
      {canEdit && (
        <Enrol
          contactId={c.id}
          onDone={(n, f) => {
            setNotice(n);
            setFailure(f);
            timeline.reload();
          }}
        />
      )}
      <div className="two-col">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{c.email}</dd>
            <dt>Company</dt>
            <dd>{c.company ?? '–'}</dd>
            <dt>Tier</dt>
            <dd>{c.tier ?? '–'}</dd>
            <dt>Lifetime spend</dt>
            <dd>{(c.lifetimeSpendCents / 100).toLocaleString('en', { style: 'currency', currency: c.currency ?? 'USD' })}</dd>
            <dt>Purchases</dt>
            <dd>{fmt(c.purchaseCount)}</dd>
            <dt>Loyalty points</dt>
            <dd>{fmt(c.loyaltyPoints)}</dd>
            <dt>Tags</dt>
            <dd>{c.tags.length ? c.tags.join(', ') : '–'}</dd>
            <dt>Owner</dt>
            <dd>{c.ownerEmail ?? '–'}</dd>
            <dt>Time zone</dt>
            <dd>{c.timeZone ?? '–'}</dd>
            <dt>Since</dt>
            <dd>{when(c.createdAt)}</dd>
          </dl>
          <h3>Consent</h3>
          <dl className="facts" data-section="consent">
            <dt>Marketing consent</dt>
            <dd>{c.marketingConsent ? 'yes' : 'no'}</dd>
            {subs.map(([k, v]) => (
              <div className="fact-row" key={k}>
                <dt>{k}</dt>
                <dd data-subscription={k}>{String(v)}</dd>
              </div>
            ))}
          </dl>
          {Object.keys(c.attributes ?? {}).length > 0 && (
            <>
              <h3>Attributes</h3>
              <pre className="code">{JSON.stringify(c.attributes, null, 2)}</pre>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          {timeline.error ? <ErrorBox error={timeline.error} retry={timeline.reload} /> : null}
          {!timeline.data && !timeline.error && <Loading what="the timeline" />}
          {timeline.data && timeline.data.entries.length === 0 && <p className="muted">Nothing has happened to this contact yet.</p>}
          {timeline.data && timeline.data.entries.length > 0 && (
            <ol className="timeline" aria-label="Newest first">
              {timeline.data.entries.map((e) => {
                const why = reasonOf(e);
                return (
                  <li key={`${e.kind}:${e.id}`} className={`tl tl-${e.kind}`}>
                    <time dateTime={e.at}>{when(e.at)}</time>
                    <span>{describe(e)}</span>
                    {why && <span className="muted small">Why: {why}</span>}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>
      {erasing && (
        <EraseDialog
          contact={c}
          onClose={() => setErasing(false)}
          onErased={() => {
            setErasing(false);
            navigate(`/contacts?erased=1`);
          }}
        />
      )}
    </>
  );
}
