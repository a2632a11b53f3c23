// The mail the embedded sink received (npm start without SMTP_URL), newest
// first; one opens rendered in a sandboxed frame (no scripts, no forms).
import { useState } from 'react';
import { ApiError } from '../api';
import { useApi } from '../hooks';
import { Empty, ErrorBox, Loading, PageHeader, when } from '../ui';

interface Row {
  id: string;
  date: string;
  to: string;
  subject: string;
}
interface Message extends Row {
  from: string;
  html: string | null;
  text: string;
  headers: Record<string, string>;
}

function Reader({ id }: { id: string }) {
  const { data, error, reload } = useApi<{ message: Message }>(`/mail/${id}`);
  const [view, setView] = useState<'html' | 'text'>('html');
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading what="the message" />;
  const m = data.message;
  return (
    <article aria-labelledby="mail-subject">
      <h2 id="mail-subject">{m.subject || '(no subject)'}</h2>
      <dl className="facts">
        <dt>From</dt>
        <dd>{m.from}</dd>
        <dt>To</dt>
        <dd>{m.to}</dd>
        <dt>Date</dt>
        <dd>{when(m.date)}</dd>
      </dl>
      <div role="group" aria-label="Show the message as" className="segmented">
        <button type="button" className="btn" aria-pressed={view === 'html'} disabled={!m.html} onClick={() => setView('html')}>
          HTML
        </button>
        <button type="button" className="btn" aria-pressed={view === 'text' || !m.html} onClick={() => setView('text')}>
          Plain text
        </button>
      </div>
      {view === 'html' && m.html ? (
        <iframe title={`Message: ${m.subject}`} className="preview-frame preview-desktop" sandbox="" srcDoc={m.html} />
      ) : (
        <pre className="code mail-text">{m.text}</pre>
      )}
    </article>
  );
}

export function MailPage() {
  const { data, error, reload } = useApi<{ messages: Row[] }>('/mail', 3000);
  const [open, setOpen] = useState<string | null>(null);
  if (error instanceof ApiError && error.code === 'no_mail_sink') {
    return (
      <>
        <PageHeader title="Sent mail" />
        <Empty title="Mail goes to a real SMTP relay">
          <p className="muted">Only the embedded setup (npm start without SMTP_URL) keeps the mail it sends, to show it here.</p>
        </Empty>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Sent mail" />
      <p className="muted small">What the embedded mail sink received: nothing here left this machine.</p>
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="the mail" />}
      {data && data.messages.length === 0 && (
        <Empty title="No mail yet">
          <p className="muted">Journey emails, newsletters and test sends appear here as they are sent.</p>
        </Empty>
      )}
      {data && data.messages.length > 0 && (
        <div className="two-col">
          <ul className="mail-list" aria-label="Messages, newest first">
            {data.messages.map((m) => (
              <li key={m.id} data-mail={m.subject}>
                <button type="button" className="mail-item" aria-current={open === m.id ? 'true' : undefined} onClick={() => setOpen(m.id)}>
                  <strong>{m.subject || '(no subject)'}</strong>
                  <span className="muted small">
                    {m.to} · {when(m.date)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <section className="card" aria-label="The message">
            {open ? <Reader key={open} id={open} /> : <p className="muted">Choose a message to read it.</p>}
          </section>
        </div>
      )}
    </>
  );
}
