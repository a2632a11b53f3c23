// One template: MJML in CodeMirror beside a live preview rendered by the server
// for a chosen contact (or the sample one), at desktop or phone width, in a
// sandboxed frame; problems at their lines; save (a new version); test send.
import { useEffect, useMemo, useState } from 'react';
import type { ContactHit } from '../../../contacts/workspace';
import { api, ApiError, errorText } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { useCanEdit, useSession } from '../session';
import { ActionFeedback, ErrorBox, Loading, PageHeader } from '../ui';
import { MjmlEditor } from './MjmlEditor';

interface Stored {
  key: string;
  name: string;
  category: string;
  version: number;
  subject: string;
  preheader: string | null;
  mjml: string;
  from: string | null;
  replyTo: string | null;
}
interface Issue {
  path: string;
  line?: number;
  message: string;
}
interface Preview {
  ok: boolean;
  issues: Issue[];
  subject?: string;
  html?: string;
  text?: string;
}
type Draft = Pick<Stored, 'name' | 'category' | 'subject' | 'preheader' | 'mjml'>;

const STARTER = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="20px">Hello {{contact.firstName}}!</mj-text>
        <mj-text>Write your email here.</mj-text>
        <mj-button href="https://example.com">Read more</mj-button>
        <mj-text font-size="12px"><a href="{{unsubscribeUrl}}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

export function TemplatePage({ templateKey }: { templateKey: string }) {
  const canEdit = useCanEdit();
  const { user } = useSession();
  const isNew = new URLSearchParams(window.location.search).has('new');
  const stored = useApi<{ template: Stored }>(`/v1/templates/${templateKey}`);
  const contacts = useApi<{ contacts: ContactHit[] }>('/contacts?q=');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<Draft | null>(null);
  const [contactId, setContactId] = useState('');
  const [width, setWidth] = useState<'desktop' | 'mobile'>('desktop');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [rendering, setRendering] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [testTo, setTestTo] = useState(user?.email ?? '');
  const notFound = stored.error instanceof ApiError && stored.error.status === 404;

  // The draft starts as the stored version (or a starter for a new key).
  useEffect(() => {
    if (draft) return;
    if (stored.data) {
      const t = stored.data.template;
      const d = { name: t.name, category: t.category, subject: t.subject, preheader: t.preheader, mjml: t.mjml };
      setDraft(d);
      setSaved(d);
    } else if (notFound && isNew) {
      setDraft({ name: templateKey, category: 'newsletter', subject: 'Hello {{contact.firstName}}', preheader: null, mjml: STARTER });
    }
  }, [stored.data, notFound, isNew, draft, templateKey]);

  // Live preview: the server validates and renders the draft, 400 ms after the last keystroke.
  useEffect(() => {
    if (!draft) return;
    const ctrl = new AbortController();
    const t = window.setTimeout(() => {
      setRendering(true);
      api<Preview>(`/templates/${templateKey}/draft-preview`, {
        body: { ...draft, preheader: draft.preheader || null, ...(contactId ? { contactId } : {}) },
        signal: ctrl.signal,
      })
        .then((p) => {
          setPreview(p);
          setPreviewError(null);
        })
        .catch((e: unknown) => {
          if (e instanceof DOMException && e.name === 'AbortError') return;
          setPreviewError(e);
        })
        .finally(() => setRendering(false));
    }, 400);
    return () => {
      window.clearTimeout(t);
      ctrl.abort();
    };
  }, [draft, contactId, templateKey]);

  const issues = useMemo<Issue[]>(
    () => preview?.issues ?? (previewError instanceof ApiError ? previewError.details : []),
    [preview, previewError],
  );
  const lineIssues = useMemo(
    () => issues.filter((i) => i.path === 'mjml' && i.line !== undefined).map((i) => ({ line: i.line!, message: i.message })),
    [issues],
  );
  const dirty = draft !== null && JSON.stringify(draft) !== JSON.stringify(saved);

  if (stored.error && !notFound) return <ErrorBox error={stored.error} retry={stored.reload} />;
  if (notFound && !isNew) return <ErrorBox error={new Error(`There is no template "${templateKey}".`)} />;
  if (!draft) return <Loading what="the template" />;

  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const save = async () => {
    setFailure(null);
    setNotice(null);
    try {
      const out = await api<{ template: Stored; created: boolean }>(`/v1/templates/${templateKey}`, {
        method: 'PUT',
        body: { ...draft, preheader: draft.preheader || null },
      });
      setSaved(draft);
      setNotice(out.created ? `Saved v${out.template.version}` : `No change: still v${out.template.version}`);
      stored.reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const testSend = async () => {
    setFailure(null);
    setNotice(null);
    try {
      const out = await api<{ subject: string; version: number }>(`/v1/templates/${templateKey}/test-send`, {
        body: { to: testTo, ...(contactId ? { contactId } : {}) },
      });
      setNotice(`Test sent to ${testTo}: “${out.subject}” (v${out.version})`);
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  const version = stored.data?.template.version;

  return (
    <>
      <p className="crumbs">
        <Link to="/templates">Templates</Link> / {templateKey}
      </p>
      <PageHeader title={draft.name || templateKey}>
        {version !== undefined && <span className="badge">v{version}</span>}
        {dirty && <span className="badge badge-draft">unsaved changes</span>}
        {!canEdit && <span className="badge">read only</span>}
        {canEdit && (
          <button type="button" className="btn btn-primary" disabled={!dirty || !preview?.ok} onClick={() => void save()}>
            Save
          </button>
        )}
      </PageHeader>
      <ActionFeedback notice={notice} failure={failure} />
      <div className="template-fields">
        <div className="field">
          <label htmlFor="t-name">Name</label>
          <input id="t-name" value={draft.name} readOnly={!canEdit} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="t-category">Category</label>
          <select id="t-category" value={draft.category} disabled={!canEdit} onChange={(e) => set({ category: e.target.value })}>
            {['newsletter', 'journeys', 'transactional'].map((c) => (
              <option key={c}>{c}</option>
            ))}
            {!['newsletter', 'journeys', 'transactional'].includes(draft.category) && <option>{draft.category}</option>}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="t-subject">Subject</label>
          <input id="t-subject" value={draft.subject} readOnly={!canEdit} onChange={(e) => set({ subject: e.target.value })} />
        </div>
        <div className="field grow">
          <label htmlFor="t-preheader">Preheader</label>
          <input id="t-preheader" value={draft.preheader ?? ''} readOnly={!canEdit} onChange={(e) => set({ preheader: e.target.value })} />
        </div>
      </div>
      <div className="template-layout">
        <section aria-labelledby="mjml-title" className="card">
          <h2 id="mjml-title">MJML</h2>
          <MjmlEditor value={draft.mjml} onChange={(mjml) => set({ mjml })} issues={lineIssues} readOnly={!canEdit} />
          {issues.length > 0 && (
            <ul className="issues" aria-label="Problems in the template">
              {issues.map((i, n) => (
                <li key={n}>
                  {i.line !== undefined ? `Line ${i.line}: ` : ''}
                  {i.path !== 'mjml' ? `${i.path}: ` : ''}
                  {i.message.replace(/^line \d+: /, '')}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="preview-title" className="card">
          <h2 id="preview-title">Preview</h2>
          <div className="preview-controls">
            <div className="field">
              <label htmlFor="t-contact">Render for</label>
              <select id="t-contact" value={contactId} onChange={(e) => setContactId(e.target.value)}>
                <option value="">Sample contact (Ada Lovelace)</option>
                {contacts.data?.contacts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.email}
                  </option>
                ))}
              </select>
            </div>
            <div role="group" aria-label="Preview width" className="segmented">
              <button type="button" className="btn" aria-pressed={width === 'desktop'} onClick={() => setWidth('desktop')}>
                Desktop
              </button>
              <button type="button" className="btn" aria-pressed={width === 'mobile'} onClick={() => setWidth('mobile')}>
                Mobile
              </button>
            </div>
            <span className="muted small" role="status" aria-live="polite">
              {rendering ? 'Rendering…' : ''}
            </span>
          </div>
          {previewError && !(previewError instanceof ApiError && previewError.status === 400) ? <ErrorBox error={previewError} /> : null}
          {!preview && !previewError && <Loading what="the preview" />}
          {preview?.ok && (
            <>
              <p className="preview-subject">
                <span className="muted">Subject:</span> <strong data-testid="preview-subject">{preview.subject}</strong>
              </p>
              {/* No scripts, no forms, no same-origin access: the mail's HTML is data. */}
              <iframe title="Email preview" className={`preview-frame preview-${width}`} sandbox="" srcDoc={preview.html} />
            </>
          )}
          {preview && !preview.ok && <p className="muted">The preview shows again once the problems are fixed.</p>}
          {canEdit && (
            <form
              className="inline-form test-send"
              onSubmit={(e) => {
                e.preventDefault();
                void testSend();
              }}
            >
              <div className="field grow">
                <label htmlFor="t-test-to">Send a test of the saved version to</label>
                <input id="t-test-to" type="email" required value={testTo} onChange={(e) => setTestTo(e.target.value)} />
              </div>
              <button type="submit" className="btn" disabled={version === undefined}>
                Send test
              </button>
              {dirty && version !== undefined && <span className="muted small">Unsaved changes are not in the test; save first.</span>}
            </form>
          )}
        </section>
      </div>
    </>
  );
}
