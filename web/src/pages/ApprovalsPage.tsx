// Decisions waiting for a human: what is asked, about whom, by when; approve or reject.
import { useState } from 'react';
import { api, errorText } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { useCanEdit, useSession } from '../session';
import { ActionFeedback, Empty, ErrorBox, Loading, PageHeader, when } from '../ui';

/** A row of GET /v1/approvals (prisma `Approval` as JSON). */
interface Approval {
  id: string;
  contactId: string;
  workflowId: string;
  approver: string;
  subject: string;
  detail: unknown;
  deadline: string;
  status: string;
  createdAt: string;
  contact: { email: string; firstName: string | null; lastName: string | null };
}

/** "Ada Lovelace <ada@example.com>", or the address alone. */
const whom = (c: Approval['contact']) => {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return name ? `${name} <${c.email}>` : c.email;
};

/** "journey/<key>/<contact>[/<runKey>]" -> the journey key. */
const journeyOf = (workflowId: string) => workflowId.split('/')[1] ?? null;

export function ApprovalsPage() {
  const canEdit = useCanEdit();
  const { user } = useSession();
  const { data, error, reload } = useApi<{ approvals: Approval[] }>('/v1/approvals?status=pending', 5000);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const decide = async (a: Approval, decision: 'approve' | 'reject') => {
    setFailure(null);
    try {
      await api(`/v1/approvals/${a.id}/decision`, { body: { decision, by: user?.email ?? 'workspace' } });
      setNotice(`${decision === 'approve' ? 'Approved' : 'Rejected'}: ${a.subject}`);
      reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  return (
    <>
      <PageHeader title="Approvals" />
      <ActionFeedback notice={notice} failure={failure} />
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="approvals" />}
      {data && data.approvals.length === 0 && (
        <Empty title="Nothing waits for a decision">
          <p className="muted">Journeys with an approval step ask here (and by email) when a contact reaches it.</p>
        </Empty>
      )}
      {data && data.approvals.length > 0 && (
        <ul className="approvals">
          {data.approvals.map((a) => {
            const journey = journeyOf(a.workflowId);
            return (
              <li key={a.id} className="card" data-approval={a.subject}>
                <h2>{a.subject}</h2>
                <p className="muted small">
                  {journey && (
                    <>
                      Journey <Link to={`/journeys/${journey}`}>{journey}</Link> ·{' '}
                    </>
                  )}
                  <Link to={`/contacts/${a.contactId}`}>{whom(a.contact)}</Link> · asked {when(a.createdAt)} · approver {a.approver} ·
                  decide by <strong>{when(a.deadline)}</strong>
                </p>
                {a.detail !== null && typeof a.detail === 'object' && Object.keys(a.detail).length > 0 ? (
                  <pre className="code">{JSON.stringify(a.detail, null, 2)}</pre>
                ) : null}
                {canEdit && (
                  <div className="actions">
                    <button type="button" className="btn btn-primary" onClick={() => void decide(a, 'approve')}>
                      Approve
                    </button>
                    <button type="button" className="btn btn-danger" onClick={() => void decide(a, 'reject')}>
                      Reject
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
