// Sales tasks the journeys created (create_task steps), soonest due first, with done.
import { useState } from 'react';
import type { SalesTaskView } from '../../../contacts/sales-tasks';
import { api, errorText } from '../api';
import { useApi } from '../hooks';
import { Link } from '../router';
import { useCanEdit, useSession } from '../session';
import { ActionFeedback, Empty, ErrorBox, Loading, PageHeader, when } from '../ui';

export function TasksPage() {
  const canEdit = useCanEdit();
  const { user } = useSession();
  const [mine, setMine] = useState(false);
  const [status, setStatus] = useState<'open' | 'done'>('open');
  const path = `/v1/tasks?status=${status}${mine && user ? `&owner=${encodeURIComponent(user.email)}` : ''}`;
  const { data, error, reload } = useApi<{ tasks: SalesTaskView[] }>(path, 10_000);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const done = async (t: SalesTaskView) => {
    setFailure(null);
    try {
      await api(`/v1/tasks/${t.id}/done`, { method: 'POST' });
      setNotice(`Done: ${t.reason}`);
      reload();
    } catch (err) {
      setFailure(errorText(err));
    }
  };
  return (
    <>
      <PageHeader title="Sales tasks">
        <div className="field inline">
          <label htmlFor="task-status">Show</label>
          <select id="task-status" value={status} onChange={(e) => setStatus(e.target.value === 'done' ? 'done' : 'open')}>
            <option value="open">open tasks</option>
            <option value="done">done tasks</option>
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> only mine
        </label>
      </PageHeader>
      <ActionFeedback notice={notice} failure={failure} />
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="tasks" />}
      {data && data.tasks.length === 0 && (
        <Empty title={status === 'open' ? 'No open task' : 'No task done yet'}>
          <p className="muted">
            Journeys with a create_task step (e.g. “call this prospect in 3 days”) put tasks here and email their owner.
          </p>
        </Empty>
      )}
      {data && data.tasks.length > 0 && (
        <div className="table-wrap">
          <table className="table cards-on-phone">
            <caption className="sr-only">{status === 'open' ? 'Open sales tasks, soonest due first' : 'Done sales tasks'}</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Contact</th>
                <th scope="col">Owner</th>
                <th scope="col">{status === 'open' ? 'Due' : 'Done'}</th>
                {canEdit && status === 'open' && (
                  <th scope="col">
                    <span className="sr-only">Action</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.tasks.map((t) => (
                <tr key={t.id} data-task={t.reason}>
                  <th scope="row">
                    {t.reason}
                    {t.journeyKey && (
                      <div className="muted small">
                        from <Link to={`/journeys/${t.journeyKey}`}>{t.journeyKey}</Link>
                      </div>
                    )}
                  </th>
                  <td data-label="Contact">
                    <Link to={`/contacts/${t.contactId}`}>{t.contactName ?? t.contactEmail}</Link>
                  </td>
                  <td data-label="Owner">{t.owner}</td>
                  <td data-label={status === 'open' ? 'Due' : 'Done'}>
                    {status === 'open' ? when(t.dueAt) : when(t.completedAt)}
                    {t.overdue && <span className="badge badge-paused">overdue</span>}
                  </td>
                  {canEdit && status === 'open' && (
                    <td data-label="">
                      <button type="button" className="btn" onClick={() => void done(t)} aria-label={`Mark “${t.reason}” done`}>
                        Done
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
