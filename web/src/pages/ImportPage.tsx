// Import contacts from a CSV file: pick it, map its columns to Rapport's,
// check it (a dry run: bad rows with line and reason), then import it in the
// background with a progress bar, and read the summary. Contacts who already
// consented elsewhere can be subscribed to the newsletter by attesting that
// consent (where and when it was given; the signed-in user attests).
import { useEffect, useMemo, useState } from 'react';
import { CSV_COLUMNS } from '../../../contacts/import-columns';
import type { ImportView } from '../../../contacts/import-jobs';
import { api, errorText } from '../api';
import { parseCsv, writeCsv } from '../csv';
import { useApi } from '../hooks';
import { useCanEdit, useSession } from '../session';
import { ActionFeedback, Empty, ErrorBox, fmt, PageHeader, StatusBadge, when } from '../ui';

type Job = Omit<ImportView, 'createdAt' | 'startedAt' | 'finishedAt'> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

const COLUMNS: readonly string[] = CSV_COLUMNS;
const IGNORE = '';
const ALIASES: Record<string, string> = {
  mail: 'email',
  'e-mail': 'email',
  emailaddress: 'email',
  id: 'externalId',
  externalid: 'externalId',
  first: 'firstName',
  firstname: 'firstName',
  givenname: 'firstName',
  last: 'lastName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  organisation: 'company',
  organization: 'company',
  timezone: 'timeZone',
  tz: 'timeZone',
  owner: 'ownerEmail',
  owneremail: 'ownerEmail',
  consent: 'marketingConsent',
  marketingconsent: 'marketingConsent',
  language: 'locale',
};

/** Rapport's column for a header: itself, an alias, or an attribute of that name. */
function guess(header: string): string {
  const h = header.trim();
  const flat = h.toLowerCase().replace(/[\s_.-]/g, '');
  const direct = COLUMNS.find((c) => c.toLowerCase() === flat);
  if (direct) return direct;
  if (ALIASES[flat]) return ALIASES[flat];
  if (/^attributes\./i.test(h)) return `attributes.${h.slice(11)}`;
  const name = h.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return name ? `attributes.${name}` : IGNORE;
}

function Report({ job }: { job: Job }) {
  const s = job.summary;
  return (
    <div className="report" data-testid="import-report">
      <dl className="facts">
        <dt>Rows</dt>
        <dd>{fmt(s.rows)}</dd>
        <dt>{job.dryRun ? 'Would create' : 'Created'}</dt>
        <dd data-summary="created">{fmt(s.created)}</dd>
        <dt>{job.dryRun ? 'Would update' : 'Updated'}</dt>
        <dd data-summary="updated">{fmt(s.updated)}</dd>
        <dt>Unchanged</dt>
        <dd>{fmt(s.unchanged)}</dd>
        <dt>{job.dryRun ? 'Would subscribe' : 'Subscribed'}</dt>
        <dd data-summary="subscribed">{fmt(s.subscribed)}</dd>
        <dt>Bad rows</dt>
        <dd data-summary="failed">{fmt(s.failed)}</dd>
        {s.durationMs !== null && (
          <>
            <dt>Took</dt>
            <dd>{(s.durationMs / 1000).toFixed(1)} s</dd>
          </>
        )}
      </dl>
      {job.error && (
        <p className="form-error" role="alert">
          {job.error}
        </p>
      )}
      {job.errors.length > 0 && (
        <div className="table-wrap">
          <table className="table compact">
            <caption className="table-caption">
              Bad rows{job.errorsOmitted > 0 ? ` (first ${job.errors.length}; ${fmt(job.errorsOmitted)} more)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((e) => (
                <tr key={`${e.line}:${e.field}`} data-line={e.line}>
                  <td className="num">{e.line}</td>
                  <td>{e.field}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {job.notes.length > 0 && (
        <ul className="muted small" aria-label="Notes">
          {job.notes.map((n, i) => (
            <li key={i}>
              Line {n.line}: {n.note}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ImportPage() {
  const canEdit = useCanEdit();
  const { user } = useSession();
  const recent = useApi<{ imports: Job[] }>('/v1/contacts/imports?limit=10');
  const [fileName, setFileName] = useState<string | null>(null);
  const [rows, setRows] = useState<string[][] | null>(null);
  const [mapping, setMapping] = useState<string[]>([]);
  const [dry, setDry] = useState<Job | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [consented, setConsented] = useState(false);
  const [consentSource, setConsentSource] = useState('');
  const [consentDate, setConsentDate] = useState('');
  const today = new Date().toISOString().slice(0, 10);
  const consentMissing = consented && (!consentSource.trim() || !consentDate);

  const header = rows?.[0] ?? [];
  const dataRows = rows ? rows.filter((r, i) => i > 0 && !(r.length === 1 && r[0] === '')).length : 0;
  const mappedEmail = mapping.includes('email');
  const duplicates = mapping.filter((m, i) => m !== IGNORE && mapping.indexOf(m) !== i);
  const csv = useMemo(() => {
    if (!rows) return null;
    const keep = mapping.flatMap((m, i) => (m === IGNORE ? [] : [i]));
    return writeCsv(rows, mapping, keep);
  }, [rows, mapping]);

  const pick = async (file: File | undefined) => {
    setDry(null);
    setJob(null);
    setFailure(null);
    if (!file) return;
    const parsed = parseCsv(await file.text());
    if (parsed.length === 0) return setFailure('The file is empty.');
    setFileName(file.name);
    setRows(parsed);
    setMapping(parsed[0]!.map(guess));
  };

  const send = async (dryRun: boolean) => {
    if (!csv) return;
    setFailure(null);
    setBusy(true);
    try {
      const file = new Blob([csv], { type: 'text/csv' });
      // With an attestation: a form, the consent first, then the file (the API reads them in that order).
      let form: FormData | undefined;
      if (consented) {
        form = new FormData();
        form.append(
          'consent',
          JSON.stringify({
            source: consentSource.trim(),
            obtainedAt: consentDate,
            categories: ['newsletter'],
            attestedBy: user?.email ?? '',
          }),
        );
        form.append('file', file, fileName ?? 'contacts.csv');
      }
      const out = await api<{ import: Job }>(`/v1/contacts/import?dryRun=${dryRun}`, {
        ...(form ? { form } : { raw: { body: file, contentType: 'text/csv' } }),
        // A real import runs in the background (progress to poll); a check answers at once.
        headers: dryRun ? {} : { prefer: 'respond-async' },
      });
      if (dryRun) setDry(out.import);
      else setJob(out.import);
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  // Polls a background import until it finishes.
  const jobId = job && (job.status === 'queued' || job.status === 'running') ? job.id : null;
  useEffect(() => {
    if (!jobId) {
      recent.reload();
      return;
    }
    const t = window.setInterval(() => {
      api<{ import: Job }>(`/v1/contacts/imports/${jobId}`).then(
        (r) => setJob(r.import),
        () => undefined,
      );
    }, 500);
    return () => window.clearInterval(t);
  }, [jobId]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <>
      <PageHeader title="Import contacts" />
      {!canEdit && <p className="muted">Viewers can see past imports but not import.</p>}
      {canEdit && (
        <section className="card" aria-labelledby="file-title">
          <h2 id="file-title">1. The file</h2>
          <label htmlFor="import-file">CSV file (a header row, then one contact per row)</label>
          <input id="import-file" type="file" accept=".csv,text/csv" onChange={(e) => void pick(e.target.files?.[0])} />
          {rows && (
            <p className="muted small">
              {fileName}: {fmt(dataRows)} rows, {header.length} columns.
            </p>
          )}
        </section>
      )}
      {canEdit && rows && (
        <section className="card section-gap" aria-labelledby="map-title">
          <h2 id="map-title">2. Columns</h2>
          <p className="muted small">
            Each column of the file goes into a field of the contact, an attribute, or nowhere. Imports never subscribe anyone to email
            without a consent attestation (below).
          </p>
          <div className="table-wrap">
            <table className="table compact cards-on-phone">
              <caption className="sr-only">Column mapping</caption>
              <thead>
                <tr>
                  <th scope="col">In the file</th>
                  <th scope="col">First value</th>
                  <th scope="col">Goes into</th>
                </tr>
              </thead>
              <tbody>
                {header.map((h, i) => {
                  const m = mapping[i] ?? IGNORE;
                  const attr = m.startsWith('attributes.') ? m : `attributes.${h.replace(/[^A-Za-z0-9_]+/g, '_') || `column${i + 1}`}`;
                  return (
                    <tr key={i} data-column={h}>
                      <th scope="row">{h || `(column ${i + 1})`}</th>
                      <td data-label="First value">{rows[1]?.[i] ?? ''}</td>
                      <td data-label="Goes into">
                        <label className="sr-only" htmlFor={`map-${i}`}>{`Where “${h}” goes`}</label>
                        <select
                          id={`map-${i}`}
                          value={m}
                          onChange={(e) => setMapping((ms) => ms.map((x, n) => (n === i ? e.target.value : x)))}
                        >
                          {COLUMNS.map((c) => (
                            <option key={c} value={c}>
                              {c}
                            </option>
                          ))}
                          <option value={attr}>{attr}</option>
                          <option value={IGNORE}>(leave out)</option>
                        </select>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {!mappedEmail && <p className="form-error">One column must go into email.</p>}
          <fieldset className="consent-attest section-gap">
            <legend className="sr-only">Existing consent</legend>
            <label className="choice">
              <input type="checkbox" checked={consented} onChange={(e) => setConsented(e.target.checked)} /> These contacts already
              consented to the newsletter
            </label>
            <p className="muted small" id="consent-help">
              They are then subscribed without a confirmation email, and each keeps this attestation (where, when, and you as the one
              attesting); anyone who unsubscribed or is suppressed stays so.
            </p>
            {consented && (
              <div className="template-fields">
                <div className="field grow">
                  <label htmlFor="consent-source">Where they consented</label>
                  <input
                    id="consent-source"
                    required
                    aria-describedby="consent-help"
                    maxLength={200}
                    value={consentSource}
                    onChange={(e) => setConsentSource(e.target.value)}
                    placeholder="Spring webinar sign-up form"
                  />
                </div>
                <div className="field">
                  <label htmlFor="consent-date">When they consented</label>
                  <input
                    id="consent-date"
                    type="date"
                    required
                    max={today}
                    value={consentDate}
                    onChange={(e) => setConsentDate(e.target.value)}
                  />
                </div>
              </div>
            )}
          </fieldset>
          {duplicates.length > 0 && <p className="form-error">Each field once: {[...new Set(duplicates)].join(', ')} is chosen twice.</p>}
          <div className="actions section-gap">
            <button
              type="button"
              className="btn"
              disabled={busy || !mappedEmail || duplicates.length > 0 || consentMissing}
              onClick={() => void send(true)}
            >
              Check the file (dry run)
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || !mappedEmail || duplicates.length > 0 || consentMissing || jobId !== null}
              onClick={() => void send(false)}
            >
              Import {fmt(dataRows)} contacts
            </button>
          </div>
          <ActionFeedback failure={failure} />
        </section>
      )}
      {canEdit && !rows && <ActionFeedback failure={failure} />}
      {dry && (
        <section className="card section-gap" aria-labelledby="dry-title">
          <h2 id="dry-title">
            Check:{' '}
            {dry.summary.failed === 0 ? 'every row is good' : `${fmt(dry.summary.failed)} bad ${dry.summary.failed === 1 ? 'row' : 'rows'}`}
          </h2>
          <p className="muted small">Nothing was changed. Bad rows are skipped by the import; the others go in.</p>
          <Report job={dry} />
        </section>
      )}
      {job && (
        <section className="card section-gap" aria-labelledby="job-title">
          <h2 id="job-title">
            Import <StatusBadge status={job.status} />
          </h2>
          <progress max={100} value={job.progress.percent ?? undefined} aria-label="Import progress" />
          <p className="small" role="status" aria-live="polite" data-testid="import-progress">
            {job.status === 'completed' ? 'Done: ' : ''}
            {fmt(job.progress.rowsProcessed)} rows read{job.progress.percent !== null ? ` (${job.progress.percent}%)` : ''}
          </p>
          {job.status !== 'queued' && job.status !== 'running' && <Report job={job} />}
        </section>
      )}
      <section aria-labelledby="recent-title" className="section-gap">
        <h2 id="recent-title">Recent imports</h2>
        {recent.error ? <ErrorBox error={recent.error} retry={recent.reload} /> : null}
        {recent.data && recent.data.imports.length === 0 && <Empty title="No import yet" />}
        {recent.data && recent.data.imports.length > 0 && (
          <div className="table-wrap">
            <table className="table compact cards-on-phone">
              <caption className="sr-only">Recent imports</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Created
                  </th>
                  <th scope="col" className="num">
                    Updated
                  </th>
                  <th scope="col" className="num">
                    Bad
                  </th>
                </tr>
              </thead>
              <tbody>
                {recent.data.imports.map((j) => (
                  <tr key={j.id}>
                    <th scope="row">{when(j.createdAt)}</th>
                    <td data-label="Status">
                      <StatusBadge status={j.status} />
                      {j.dryRun && <span className="badge">dry run</span>}
                    </td>
                    <td data-label="Rows" className="num">
                      {fmt(j.summary.rows)}
                    </td>
                    <td data-label="Created" className="num">
                      {fmt(j.summary.created)}
                    </td>
                    <td data-label="Updated" className="num">
                      {fmt(j.summary.updated)}
                    </td>
                    <td data-label="Bad" className="num">
                      {fmt(j.summary.failed)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
