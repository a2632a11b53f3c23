// The trigger's settings as a form (event and API triggers; the other kinds in
// the YAML), written into the YAML like every canvas edit.
import { useEffect, useId, useState } from 'react';
import type { JourneyDefinition } from '../../../journeys/schema';
import type { ErrorDetail } from '../api';
import { setTopField } from './edit';

export function TriggerEditor({
  text,
  def,
  issues,
  onText,
  onError,
}: {
  text: string;
  def: JourneyDefinition;
  issues: ErrorDetail[];
  onText(t: string): void;
  onError(m: string): void;
}) {
  const id = useId();
  const t = def.trigger;
  const eventText = t.type === 'event' ? (Array.isArray(t.event) ? t.event.join(', ') : String(t.event ?? '')) : '';
  const [ev, setEv] = useState(eventText);
  useEffect(() => setEv(eventText), [eventText]);
  const apply = (value: unknown) => {
    try {
      onText(setTopField(text, ['trigger'], value));
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    }
  };
  const errors = issues.filter((i) => i.path.startsWith('trigger')).map((i) => `${i.path}: ${i.message}`);
  const editable = t.type === 'event' || t.type === 'api';
  return (
    <form className="step-editor" onSubmit={(e) => e.preventDefault()} aria-label="Trigger settings">
      {errors.length > 0 && (
        <ul className="field-errors" role="alert">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <div className="field">
        <label htmlFor={`${id}-type`}>Starts when</label>
        <select
          id={`${id}-type`}
          value={editable ? t.type : 'other'}
          onChange={(e) => apply(e.target.value === 'api' ? { type: 'api' } : { type: 'event', event: ev || 'signed_up' })}
        >
          <option value="event">an event arrives</option>
          <option value="api">enrolled through the API or a journey</option>
          {!editable && <option value="other">{t.type.replace(/_/g, ' ')} (edit in the YAML)</option>}
        </select>
      </div>
      {t.type === 'event' && (
        <div className="field">
          <label htmlFor={`${id}-event`}>Event type</label>
          <input
            id={`${id}-event`}
            value={ev}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              setEv(e.target.value);
              const list = e.target.value
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean);
              apply({ ...t, event: list.length > 1 ? list : (list[0] ?? '') });
            }}
          />
          <span id={`${id}-hint`} className="muted small">
            One type, or several separated by commas (any of them).
          </span>
        </div>
      )}
    </form>
  );
}
