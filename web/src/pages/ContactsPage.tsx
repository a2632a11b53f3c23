// Find a contact by email, name, company or tag, optionally within a segment.
import { useEffect, useState } from 'react';
import type { ContactHit } from '../../../contacts/workspace';
import { useApi } from '../hooks';
import { Link } from '../router';
import { Empty, ErrorBox, Loading, PageHeader, when } from '../ui';

export function ContactsPage() {
  const [q, setQ] = useState(() => new URLSearchParams(window.location.search).get('q') ?? '');
  const [term, setTerm] = useState(q);
  const [segment, setSegment] = useState(() => new URLSearchParams(window.location.search).get('segment') ?? '');
  const segments = useApi<{ segments: { key: string; name: string }[] }>('/v1/segments');
  const [erased] = useState(() => new URLSearchParams(window.location.search).has('erased'));
  useEffect(() => {
    const t = window.setTimeout(() => {
      setTerm(q);
      const params = new URLSearchParams({ ...(q ? { q } : {}), ...(segment ? { segment } : {}) }).toString();
      if (q || segment || !erased) window.history.replaceState(null, '', params ? `/contacts?${params}` : '/contacts');
    }, 250);
    return () => window.clearTimeout(t);
  }, [q, segment, erased]);
  const query = new URLSearchParams({ q: term, ...(segment ? { segment } : {}) }).toString();
  const { data, error, loading, reload } = useApi<{ contacts: ContactHit[]; more: boolean }>(`/contacts?${query}`);
  const segmentName = segments.data?.segments.find((s) => s.key === segment)?.name ?? segment;
  return (
    <>
      <PageHeader title="Contacts" />
      {erased && (
        <p className="notice" role="status">
          Contact erased.
        </p>
      )}
      <form className="search" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="contact-search">Search by email, name, company or tag</label>
        <input
          id="contact-search"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="ada@example.com, Lovelace, vip…"
          autoFocus
        />
        <label htmlFor="contact-segment">In segment</label>
        <select id="contact-segment" value={segment} onChange={(e) => setSegment(e.target.value)}>
          <option value="">All contacts</option>
          {segments.data?.segments.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name}
            </option>
          ))}
        </select>
      </form>
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="contacts" />}
      {data && data.contacts.length === 0 && (
        <Empty
          title={
            term
              ? `No contact matches “${term}”${segment ? ` in ${segmentName}` : ''}`
              : segment
                ? `Nobody is in ${segmentName} now`
                : 'No contacts yet'
          }
        >
          <p className="muted">Contacts arrive with events, webhooks and the API (POST /v1/contacts).</p>
        </Empty>
      )}
      {data && data.contacts.length > 0 && (
        <div className="table-wrap" aria-busy={loading}>
          <table className="table cards-on-phone">
            <caption className="sr-only">
              Contacts{term ? ` matching ${term}` : ', newest first'}
              {segment ? ` in ${segmentName}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">Tier</th>
                <th scope="col">Tags</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {data.contacts.map((c) => (
                <tr key={c.id} data-contact={c.email}>
                  <th scope="row">
                    <Link to={`/contacts/${c.id}`}>{c.email}</Link>
                    {c.name && <div className="muted small">{c.name}</div>}
                  </th>
                  <td data-label="Tier">{c.tier ?? '–'}</td>
                  <td data-label="Tags">{c.tags.length ? c.tags.join(', ') : '–'}</td>
                  <td data-label="Since">{when(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.more && <p className="muted small pad">Showing the newest 50 matches; type more to narrow them down.</p>}
        </div>
      )}
    </>
  );
}
