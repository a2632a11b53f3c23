// A clicked node: its settings and the contacts waiting there now.
import { stringify } from 'yaml';
import type { StepCounts, WaitingContact } from '../../../journeys/insights';
import type { JourneyDefinition } from '../../../journeys/schema';
import { useApi } from '../hooks';
import { ErrorBox, fmt, Loading, pct, when } from '../ui';
import { END_ID, TRIGGER_ID } from './graph';

export function NodePanel({
  journeyKey,
  def,
  nodeId,
  counts,
  issues,
  editor,
}: {
  journeyKey: string;
  def: JourneyDefinition;
  nodeId: string;
  counts: StepCounts | undefined;
  issues: string[];
  editor?: React.ReactNode;
}) {
  const step = def.steps.find((s) => s.id === nodeId);
  const goalIndex = nodeId.startsWith('__goal_') ? Number(nodeId.slice(7)) : -1;
  const settings = nodeId === TRIGGER_ID ? { trigger: def.trigger, reentry: def.reentry } : (step ?? def.goals[goalIndex] ?? null);
  const waiting = useApi<{ total: number; contacts: WaitingContact[] }>(
    step && counts ? `/journeys/${journeyKey}/steps/${step.id}/contacts` : null,
    5000,
  );
  if (nodeId === END_ID) return <p className="muted">Where runs end. The counts show how they ended.</p>;
  return (
    <div className="node-panel">
      <h2>{step ? step.id : nodeId === TRIGGER_ID ? 'Trigger' : `Goal ${goalIndex + 1}`}</h2>
      {issues.length > 0 && (
        <ul className="issues" aria-label="Problems with this step">
          {issues.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {step && (
        <dl className="facts">
          <dt>Here now</dt>
          <dd>{fmt(counts?.now ?? 0)}</dd>
          <dt>Passed</dt>
          <dd>{fmt(counts?.passed ?? 0)}</dd>
          {counts?.email && (
            <>
              <dt>Sent</dt>
              <dd>{fmt(counts.email.sent)}</dd>
              <dt>Opened</dt>
              <dd>
                {fmt(counts.email.opened)} ({pct(counts.email.opened, counts.email.sent)})
              </dd>
              <dt>Clicked</dt>
              <dd>
                {fmt(counts.email.clicked)} ({pct(counts.email.clicked, counts.email.sent)})
              </dd>
            </>
          )}
          {counts &&
            Object.entries(counts.outcomes).map(([k, v]) => (
              <div key={k} className="fact-row">
                <dt>{k.replace(/_/g, ' ')}</dt>
                <dd>{fmt(v)}</dd>
              </div>
            ))}
        </dl>
      )}
      <h3>Settings</h3>
      {editor ?? <pre className="code">{settings ? stringify(settings) : '–'}</pre>}
      {step && (
        <>
          <h3>Contacts here now</h3>
          {waiting.error ? <ErrorBox error={waiting.error} retry={waiting.reload} /> : null}
          {counts && !waiting.data && !waiting.error && <Loading what="contacts" />}
          {(!counts || (waiting.data && waiting.data.total === 0)) && <p className="muted">Nobody is at this step now.</p>}
          {waiting.data && waiting.data.total > 0 && (
            <>
              <table className="table compact" aria-label={`Contacts waiting at ${step.id}`}>
                <thead>
                  <tr>
                    <th scope="col">Contact</th>
                    <th scope="col">Version</th>
                    <th scope="col">Next wake-up</th>
                  </tr>
                </thead>
                <tbody>
                  {waiting.data.contacts.map((c) => (
                    <tr key={c.workflowId}>
                      <td>
                        {c.email ?? '(erased)'}
                        {c.name && <div className="muted small">{c.name}</div>}
                      </td>
                      <td>v{c.version}</td>
                      <td>{c.nextWakeAt ? when(c.nextWakeAt) : <span className="muted">–</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {waiting.data.total > waiting.data.contacts.length && (
                <p className="muted small">
                  Showing the {waiting.data.contacts.length} who arrived first of {fmt(waiting.data.total)}.
                </p>
              )}
            </>
          )}
        </>
      )}
    </div>
  );
}
