// Email templates: the list, and a new one by key.
import { useState } from 'react';
import type { TemplateSummary } from '../../../email/template-store';
import { useApi } from '../hooks';
import { Link, useRouter } from '../router';
import { useCanEdit } from '../session';
import { Empty, ErrorBox, Loading, PageHeader, when } from '../ui';

type Summary = Omit<TemplateSummary, 'updatedAt'> & { updatedAt: string | null };

export function TemplatesPage() {
  const canEdit = useCanEdit();
  const { navigate } = useRouter();
  const { data, error, reload } = useApi<{ templates: Summary[] }>('/v1/templates');
  const [key, setKey] = useState('');
  const valid = /^[a-z0-9][a-z0-9_-]{0,99}$/.test(key);
  return (
    <>
      <PageHeader title="Templates" />
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) navigate(`/templates/${key}?new=1`);
          }}
        >
          <div className="field">
            <label htmlFor="new-template">New template key</label>
            <input
              id="new-template"
              value={key}
              onChange={(e) => setKey(e.target.value.trim())}
              placeholder="spring-sale"
              aria-describedby="new-template-hint"
            />
            <span id="new-template-hint" className="muted small">
              lower-case letters, digits, - and _
            </span>
          </div>
          <button type="submit" className="btn btn-primary" disabled={!valid}>
            Create
          </button>
        </form>
      )}
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="templates" />}
      {data && data.templates.length === 0 && (
        <Empty title="No templates yet">
          <p className="muted">Create one above, or ship MJML files in templates/.</p>
        </Empty>
      )}
      {data && data.templates.length > 0 && (
        <div className="table-wrap">
          <table className="table cards-on-phone">
            <caption className="sr-only">Templates</caption>
            <thead>
              <tr>
                <th scope="col">Template</th>
                <th scope="col">Category</th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col">Saved</th>
              </tr>
            </thead>
            <tbody>
              {data.templates.map((t) => (
                <tr key={t.key} data-template={t.key}>
                  <th scope="row">
                    <Link to={`/templates/${t.key}`}>{t.name}</Link>
                    <div className="muted small">{t.key}</div>
                  </th>
                  <td data-label="Category">{t.category}</td>
                  <td data-label="Version" className="num">
                    {t.latestVersion ?? '–'}
                  </td>
                  <td data-label="Saved">{when(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
