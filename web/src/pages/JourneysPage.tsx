// Every journey with its status, version, contacts in flight and 7/30-day figures.
import type { JourneyListItem } from '../../../journeys/insights';
import { useApi } from '../hooks';
import { Link } from '../router';
import { Empty, ErrorBox, fmt, Loading, PageHeader, pct, StatusBadge, when } from '../ui';

export function JourneysPage() {
  const { data, error, loading, reload } = useApi<{ journeys: JourneyListItem[] }>('/journeys', 5000);
  return (
    <>
      <PageHeader title="Journeys">
        <span className="muted small" aria-live="polite">
          {loading && data ? 'Refreshing…' : 'Live: refreshes every 5 s'}
        </span>
      </PageHeader>
      {error && !data ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="journeys" />}
      {data && data.journeys.length === 0 && (
        <Empty title="No journeys yet">
          <p>
            Journeys are YAML files in <code>journeys/definitions/</code> (published by <code>npm run migrate</code>) or drafts saved through the API.
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
                <th scope="col" className="num">In flight</th>
                <th scope="col" className="num">Entered 7d / 30d</th>
                <th scope="col" className="num">Converted 7d / 30d</th>
                <th scope="col" className="num">Exited 7d / 30d</th>
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
