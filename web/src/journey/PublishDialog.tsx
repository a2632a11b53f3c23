// Publishing: the diff against the live version and what happens to runs in flight.
import { diffLines } from 'diff';
import { useEffect, useRef, useState } from 'react';
import { stringify } from 'yaml';
import type { PublishPreview } from '../../../journeys/insights';
import { api, errorText } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, fmt, Loading } from '../ui';

const TOP_ORDER = ['$schema', 'key', 'name', 'description', 'category', 'trigger', 'reentry', 'goals', 'steps'];

/** One key order for both sides (top level as the schema lists it, "id" and "type" first in steps), so the diff shows changes only. */
function canonical(def: unknown): unknown {
  if (typeof def !== 'object' || def === null || Array.isArray(def)) return def;
  const rank = (k: string) => (TOP_ORDER.includes(k) ? TOP_ORDER.indexOf(k) : TOP_ORDER.length);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(def).sort((a, b) => rank(a) - rank(b))) {
    const v = (def as Record<string, unknown>)[k];
    out[k] =
      k === 'steps' && Array.isArray(v)
        ? v.map((step: unknown) => {
            if (typeof step !== 'object' || step === null) return step;
            const { id, type, ...rest } = step as Record<string, unknown>;
            return { id, type, ...rest };
          })
        : v;
  }
  return out;
}

export function PublishDialog({
  journeyKey,
  onClose,
  onPublished,
}: {
  journeyKey: string;
  onClose(): void;
  onPublished(version: number): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { data, error, reload } = useApi<PublishPreview>(`/journeys/${journeyKey}/publish-preview`);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const publish = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const out = await api<{ version: number; created: boolean }>(`/v1/journeys/${journeyKey}/publish`, { method: 'POST' });
      onPublished(out.version);
    } catch (err) {
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const parts = data ? diffLines(data.live ? stringify(canonical(data.live)) : '', stringify(canonical(data.draft))) : [];
  const changed = parts.some((p) => p.added || p.removed);
  const next = (data?.liveVersion ?? 0) + 1;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="publish-title" onClose={onClose}>
      <h2 id="publish-title">Publish {journeyKey}</h2>
      {error ? <ErrorBox error={error} retry={reload} /> : null}
      {!data && !error && <Loading what="the changes" />}
      {data && (
        <>
          <p>
            {data.liveVersion === null ? (
              <>This journey has never been published: the draft becomes v1 and starts taking contacts.</>
            ) : changed ? (
              <>
                The draft becomes <strong>v{next}</strong>. New runs start on v{next}; the {fmt(data.inFlight)} contact
                {data.inFlight === 1 ? '' : 's'} in flight stay on the version they started on.
              </>
            ) : (
              <>The draft is the same as the live v{data.liveVersion}: publishing changes nothing.</>
            )}
          </p>
          {data.stranded.length > 0 && (
            <ul className="warnings" aria-label="Contacts at steps the new version removes">
              {data.stranded.map((s) => (
                <li key={`${s.version}:${s.step}`}>
                  {fmt(s.contacts)} contact{s.contacts === 1 ? '' : 's'} wait at <code>{s.step}</code>, which the new version removes: they
                  finish on v{s.version}.
                </li>
              ))}
            </ul>
          )}
          <h3>Changes{data.liveVersion !== null ? ` against v${data.liveVersion}` : ''}</h3>
          <pre className="diff" aria-label="Differences, as YAML">
            {parts.map((p, i) => (
              <span key={i} className={p.added ? 'diff-add' : p.removed ? 'diff-del' : 'diff-same'}>
                {p.value
                  .replace(/\n$/, '')
                  .split('\n')
                  .map((l) => `${p.added ? '+ ' : p.removed ? '- ' : '  '}${l}`)
                  .join('\n') + '\n'}
              </span>
            ))}
          </pre>
        </>
      )}
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!data || busy || (data.liveVersion !== null && !changed)}
          onClick={() => void publish()}
        >
          {busy ? 'Publishing…' : data?.liveVersion === null ? 'Publish v1' : `Publish v${next}`}
        </button>
      </div>
    </dialog>
  );
}
