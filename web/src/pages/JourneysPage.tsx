// Every journey with its status, version, contacts in flight and 7/30-day figures.
import type { JourneyListItem } from '../../../journeys/insights';
import { useApi } from '../hooks';
import { useState } from 'react';
import { Link, useRouter } from '../router';
import { useCanEdit } from '../session';
import { Empty, ErrorBox, fmt, Loading, PageHeader, pct, StatusBadge, when } from '../ui';

export function JourneysPage() {
  const { data, error, loading, reload } = useApi<{ journeys: JourneyListItem[] }>('/journeys', 5000);
  const canEdit = useCanEdit();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader title="Journeys">
        {canEdit && (
          <button type="button" className="btn btn-primary" aria-expanded={creating} onClick={() => setCreating((c) => !c)}>
            New journey
          </button>
        )}
        <span className="muted small" aria-live="polite">
          {loading && data ? 'Refreshing…' : 'Live: refreshes every 5 s'}
        </span>
      </PageHeader>
      {creating && <NewJourneyForm taken={(data?.journeys ?? []).map((j) => j.key)} />}
      {error && !data ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="journeys" />}
      {data && data.journeys.length === 0 && (
        <Empty title="No journeys yet">
          <p>
            Journeys are YAML files in <code>journeys/definitions/</code> (published by <code>npm run migrate</code>) or drafts saved
            through the API.
          </p>
        </Empty>
      )}
      {data && data.journeys.length > 0 && (
        <div className="table-wrap">
          <table className="table cards-on-phone">
            <caption className="sr-only">Journeys, with runs over the last 7 and 30 days</caption>
            <thead>
              <tr>
                <th scope="col">Journey</th>
                <th scope="col">Status</th>
                <th scope="col">Version</th>
                <th scope="col" className="num">
                  In flight
                </th>
                <th scope="col" className="num">
                  Entered 7d / 30d
                </th>
                <th scope="col" className="num">
                  Converted 7d / 30d
                </th>
                <th scope="col" className="num">
                  Exited 7d / 30d
                </th>
              </tr>
            </thead>
            <tbody>
              {data.journeys.map((j) => (
                <tr key={j.key} data-journey={j.key}>
                  <th scope="row">
                    <Link to={`/journeys/${j.key}`}>{j.name}</Link>
                    <div className="muted small">
                      <code>{j.key}</code>
                    </div>
                  </th>
                  <td data-label="Status">
                    <StatusBadge status={j.latestVersion === null ? 'draft' : j.status} />
                    {j.draftChanged && j.latestVersion !== null && <span className="badge badge-draft">unpublished changes</span>}
                  </td>
                  <td data-label="Version">
                    {j.latestVersion === null ? 'never published' : `v${j.latestVersion}`}
                    <div className="muted small">{j.publishedAt ? when(j.publishedAt) : ''}</div>
                  </td>
                  <td data-label="In flight" className="num" data-col="in-flight">
                    {fmt(j.inFlight)}
                  </td>
                  <td data-label="Entered 7d / 30d" className="num" data-col="entered">
                    {fmt(j.last7.entered)} / {fmt(j.last30.entered)}
                  </td>
                  <td data-label="Converted 7d / 30d" className="num" data-col="converted">
                    {fmt(j.last7.converted)} / {fmt(j.last30.converted)}
                    <div className="muted small">{pct(j.last30.converted, j.last30.entered)} of 30d entries</div>
                  </td>
                  <td data-label="Exited 7d / 30d" className="num" data-col="exited">
                    {fmt(j.last7.exited)} / {fmt(j.last30.exited)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Names a new journey; it is then built on the canvas and saved as a draft from its page. */
function NewJourneyForm({ taken }: { taken: string[] }) {
  const { navigate } = useRouter();
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [event, setEvent] = useState('signed_up');
  const problem = !/^[a-z][a-z0-9_-]{0,62}$/.test(key)
    ? 'Lower-case letters, digits, _ or -, starting with a letter.'
    : taken.includes(key)
      ? `There is already a journey "${key}".`
      : null;
  const [tried, setTried] = useState(false);
  return (
    <form
      className="new-journey"
      aria-label="New journey"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (problem) return;
        navigate(`/journeys/${key}?${new URLSearchParams({ name: name || key, event }).toString()}`);
      }}
    >
      <div className="field">
        <label htmlFor="nj-key">Key</label>
        <input
          id="nj-key"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={tried && !!problem}
          aria-describedby="nj-key-hint"
          autoFocus
        />
        <span id="nj-key-hint" className={tried && problem ? 'field-error' : 'muted small'}>
          {tried && problem ? problem : 'Used in URLs and workflow ids, e.g. trial_nurture'}
        </span>
      </div>
      <div className="field">
        <label htmlFor="nj-name">Name</label>
        <input id="nj-name" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="nj-event">Starts on the event</label>
        <input id="nj-event" value={event} onChange={(e) => setEvent(e.target.value)} />
      </div>
      <button type="submit" className="btn btn-primary">
        Create and open the canvas
      </button>
    </form>
  );
}
