// The settings of one step as a form: every change is written into the YAML
// (journey/edit.ts), so the editor, the graph and this form show one
// definition. The server's validation issues appear at the field they name.
import { useEffect, useId, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { Step } from '../../../journeys/schema';
import type { ErrorDetail } from '../api';
import { connect, moveStep, readIn, removeStep, renameStep, setStepField, targetFields } from './edit';

type Path = (string | number)[];
type Raw = Record<string, unknown>;

interface Props {
  text: string;
  step: Step;
  index: number;
  stepIds: string[];
  issues: ErrorDetail[];
  templates: string[];
  onText(t: string, selected?: string | null): void;
  onError(message: string): void;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function StepEditor({ text, step: typed, index, stepIds, issues, templates, onText, onError }: Props) {
  // Read loosely: while the YAML is being edited the step may lack fields its type requires.
  const step: Raw = typed;
  const id = String(step.id ?? '');
  const prefix = `steps.${index}`;
  const issuesAt = (path: Path) =>
    issues
      .filter((i) => i.path === `${prefix}.${path.join('.')}` || i.path.startsWith(`${prefix}.${path.join('.')}.`))
      .map((i) => i.message);
  const shown = new Set<string>();
  const apply = (fn: () => string, selected?: string | null) => {
    try {
      onText(fn(), selected);
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    }
  };
  const set = (path: Path, value: unknown) => apply(() => setStepField(text, id, path, value));

  const field = (path: Path, label: string, kind: 'text' | 'number' | 'list' | 'duration' = 'text', hint?: string, list?: string) => {
    shown.add(path.join('.'));
    const v = readIn(step, path);
    const value = kind === 'list' ? (Array.isArray(v) ? v.join(', ') : '') : v === undefined || v === null ? '' : String(v);
    return (
      <TextField
        key={`${id}:${path.join('.')}`}
        label={label}
        value={value}
        hint={hint ?? (kind === 'duration' ? 'e.g. 90s, 30m, 12h, 3d, 2w' : kind === 'list' ? 'comma-separated' : undefined)}
        errors={issuesAt(path)}
        type={kind === 'number' ? 'number' : 'text'}
        list={list}
        onChange={(s) => {
          if (s.trim() === '') return set(path, undefined);
          if (kind === 'number') return set(path, Number(s));
          if (kind === 'list')
            return set(
              path,
              s
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean),
            );
          return set(path, s);
        }}
      />
    );
  };
  const choice = (path: Path, label: string, options: string[]) => {
    shown.add(path.join('.'));
    const v = readIn(step, path);
    return (
      <SelectField
        key={path.join('.')}
        label={label}
        value={v === undefined ? '' : String(v)}
        options={options}
        errors={issuesAt(path)}
        onChange={(s) => set(path, s || undefined)}
      />
    );
  };
  const yamlField = (path: Path, label: string, hint: string) => {
    shown.add(path.join('.'));
    return (
      <YamlField
        key={`${id}:${path.join('.')}`}
        label={label}
        hint={hint}
        value={readIn(step, path)}
        errors={issuesAt(path)}
        onChange={(v) => set(path, v)}
      />
    );
  };

  let fields: React.ReactNode = null;
  switch (step.type) {
    case 'send_email':
      fields = (
        <>
          {field(['template'], 'Template', 'text', 'The template key', 'template-keys')}
          <datalist id="template-keys">
            {templates.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          {field(['subject'], 'Subject (optional)', 'text', 'Overrides the template subject (Handlebars)')}
        </>
      );
      break;
    case 'wait':
      fields = field(['duration'], 'Duration', 'duration');
      break;
    case 'wait_until_window': {
      shown.add('days');
      const days = Array.isArray(step.days) ? (step.days as string[]) : [];
      fields = (
        <>
          <fieldset className="days">
            <legend>Days</legend>
            {DAYS.map((d) => (
              <label key={d} className="check">
                <input
                  type="checkbox"
                  checked={days.includes(d)}
                  onChange={(e) =>
                    set(['days'], e.target.checked ? DAYS.filter((x) => x === d || days.includes(x)) : days.filter((x) => x !== d))
                  }
                />{' '}
                {d}
              </label>
            ))}
          </fieldset>
          <Errors messages={issuesAt(['days'])} />
          {field(['start'], 'From (contact local time)', 'text', 'HH:MM')}
          {field(['end'], 'Until', 'text', 'HH:MM')}
        </>
      );
      break;
    }
    case 'wait_for_event':
      fields = (
        <>
          {field(['event'], 'Event type')}
          {yamlField(['where'], 'Only events whose properties match (optional)', 'YAML, e.g. { path: /pricing }')}
          {field(['timeout'], 'Give up after', 'duration')}
        </>
      );
      break;
    case 'branch': {
      shown.add('cases');
      const cases = Array.isArray(step.cases) ? (step.cases as Raw[]) : [];
      fields = (
        <>
          {cases.map((c, i) => (
            <fieldset key={i} className="case">
              <legend>Case {i + 1}</legend>
              {field(['cases', i, 'label'], 'Label')}
              {yamlField(
                ['cases', i, 'when'],
                'Condition',
                'YAML, e.g. { field: tier, op: eq, value: gold } or { event: page_viewed, within: 7d }',
              )}
              {cases.length > 1 && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() =>
                    set(
                      ['cases'],
                      cases.filter((_, k) => k !== i),
                    )
                  }
                >
                  Remove case {i + 1}
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            className="btn btn-small"
            onClick={() =>
              set(
                ['cases'],
                [...cases, { label: `case_${cases.length + 1}`, when: { field: 'tags', op: 'contains', value: 'vip' }, next: null }],
              )
            }
          >
            Add a case
          </button>
        </>
      );
      break;
    }
    case 'split': {
      shown.add('variants');
      const variants = Array.isArray(step.variants) ? (step.variants as Raw[]) : [];
      fields = (
        <>
          {variants.map((_, i) => (
            <div key={i} className="row2">
              {field(['variants', i, 'name'], `Variant ${i + 1} name`)}
              {field(['variants', i, 'percent'], 'Percent', 'number')}
            </div>
          ))}
          <Errors messages={issuesAt(['variants'])} />
        </>
      );
      break;
    }
    case 'update_contact':
      fields = (
        <>
          {field(['addTags'], 'Add tags', 'list')}
          {field(['removeTags'], 'Remove tags', 'list')}
          {field(['addPoints'], 'Add loyalty points', 'number')}
          {field(['setTier'], 'Set tier')}
          {yamlField(['set'], 'Set attributes', 'YAML, e.g. { plan: pro }')}
        </>
      );
      break;
    case 'issue_coupon':
      fields = (
        <>
          {field(['value'], 'Value (contact currency)', 'number')}
          {field(['prefix'], 'Code prefix', 'text', '1-12 upper-case letters or digits')}
          {field(['reason'], 'Reason')}
          {field(['expiresIn'], 'Expires after (optional)', 'duration')}
        </>
      );
      break;
    case 'create_task':
      fields = (
        <>
          {field(['owner'], 'Owner', 'text', 'an email, or contact.owner')}
          {field(['fallbackOwner'], 'Fallback owner (optional)')}
          {field(['due'], 'Due after', 'duration')}
          {field(['reason'], 'Reason (Handlebars)')}
        </>
      );
      break;
    case 'approval':
      fields = (
        <>
          {field(['approver'], 'Approver email')}
          {field(['subject'], 'What is to be approved')}
          {field(['deadline'], 'Deadline', 'duration')}
          {choice(['onTimeout'], 'When the deadline passes', ['', 'approve', 'reject'])}
        </>
      );
      break;
    case 'webhook':
      fields = (
        <>
          {field(['url'], 'URL')}
          {field(['timeout'], 'Timeout (optional)', 'duration')}
          {field(['maxAttempts'], 'Attempts (optional)', 'number')}
        </>
      );
      break;
    case 'enrol':
      fields = field(['journey'], 'Journey key');
      break;
    case 'exit':
      fields = (
        <>
          {choice(['outcome'], 'Outcome', ['completed', 'converted', 'exited'])}
          {field(['reason'], 'Reason (optional)')}
        </>
      );
      break;
  }

  const targets = targetFields(step);
  for (const t of targets) shown.add(t.path.join('.'));
  shown.add('id');
  shown.add('type');
  shown.add('description');
  const others = issues.filter((i) => {
    if (!(i.path === prefix || i.path.startsWith(`${prefix}.`))) return false;
    const rest = i.path.slice(prefix.length + 1);
    return ![...shown].some((p) => rest === p || rest.startsWith(`${p}.`));
  });

  return (
    <form className="step-editor" onSubmit={(e) => e.preventDefault()} aria-label={`Settings of ${id}`}>
      <RenameField id={id} errors={issuesAt(['id'])} onRename={(to) => apply(() => renameStep(text, id, to), to)} />
      <Errors messages={others.map((i) => `${i.path.slice(prefix.length + 1) || 'step'}: ${i.message}`)} />
      {fields}
      {field(['description'], 'Description (optional)')}
      <fieldset className="connections">
        <legend>Goes to</legend>
        {targets.length === 0 && <p className="muted small">An exit ends the run.</p>}
        {targets.map((t) => {
          const v = readIn(step, t.path);
          const following = stepIds[index + 1] ?? null;
          const current = typeof v === 'string' ? v : v === null ? '' : t.nullable ? '' : (following ?? '');
          return (
            <SelectField
              key={t.path.join('.')}
              label={t.label === 'next' ? 'Next step' : `When ${t.label}`}
              value={current}
              options={['', ...stepIds.filter((s) => s !== id)]}
              optionLabel={(o) =>
                o === '' ? 'End of the journey' : o === following && t.path[0] === 'next' ? `${o} (the following step)` : o
              }
              errors={issuesAt(t.path)}
              onChange={(s) => apply(() => connect(text, id, t.path, s || null))}
            />
          );
        })}
      </fieldset>
      <div className="step-actions">
        <button type="button" className="btn btn-small" disabled={index === 0} onClick={() => apply(() => moveStep(text, id, -1))}>
          Move up
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={index === stepIds.length - 1}
          onClick={() => apply(() => moveStep(text, id, 1))}
        >
          Move down
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={() => apply(() => removeStep(text, id), null)}>
          Delete step
        </button>
      </div>
    </form>
  );
}

function Errors({ messages, id }: { messages: string[]; id?: string }) {
  if (!messages.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/**
 * One labelled field of the form: its control, a hint (while nothing is wrong,
 * unless `keepHint`) and the validator's messages, tied to the control by id.
 */
function Field({
  label,
  hint,
  keepHint = false,
  errors,
  children,
}: {
  label: string;
  hint?: string;
  keepHint?: boolean;
  errors: string[];
  children(control: { id: string; invalid: boolean; describedBy: string | undefined }): React.ReactNode;
}) {
  const id = useId();
  const showHint = hint !== undefined && (keepHint || errors.length === 0);
  const describedBy = errors.length ? `${id}-err` : showHint ? `${id}-hint` : undefined;
  return (
    <div className={`field${errors.length ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, invalid: errors.length > 0, describedBy })}
      {showHint && (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      )}
      <Errors id={`${id}-err`} messages={errors} />
    </div>
  );
}

function TextField({
  label,
  value,
  hint,
  errors,
  type,
  list,
  onChange,
}: {
  label: string;
  value: string;
  hint?: string;
  errors: string[];
  type: 'text' | 'number';
  list?: string;
  onChange(v: string): void;
}) {
  // Local while typing so the caret stays put; written through on every change.
  const [v, setV] = useState(value);
  useEffect(() => setV(value), [value]);
  return (
    <Field label={label} hint={hint} errors={errors}>
      {(c) => (
        <input
          id={c.id}
          type={type}
          value={v}
          list={list}
          aria-invalid={c.invalid}
          aria-describedby={c.describedBy}
          onChange={(e) => {
            setV(e.target.value);
            onChange(e.target.value);
          }}
        />
      )}
    </Field>
  );
}

function SelectField({
  label,
  value,
  options,
  errors,
  onChange,
  optionLabel = (o) => o || '–',
}: {
  label: string;
  value: string;
  options: string[];
  errors: string[];
  onChange(v: string): void;
  optionLabel?: (o: string) => string;
}) {
  return (
    <Field label={label} errors={errors}>
      {(c) => (
        <select
          id={c.id}
          value={value}
          aria-invalid={c.invalid}
          aria-describedby={c.describedBy}
          onChange={(e) => onChange(e.target.value)}
        >
          {options.map((o) => (
            <option key={o} value={o}>
              {optionLabel(o)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A structured value (a condition, attributes) edited as YAML; written through when it parses. */
function YamlField({
  label,
  hint,
  value,
  errors,
  onChange,
}: {
  label: string;
  hint: string;
  value: unknown;
  errors: string[];
  onChange(v: unknown): void;
}) {
  const shownText = value === undefined ? '' : stringify(value, { flow: true }).trim();
  const [v, setV] = useState(shownText);
  const [bad, setBad] = useState<string | null>(null);
  useEffect(() => setV(shownText), [shownText]);
  return (
    <Field label={label} hint={hint} errors={[...(bad ? [bad] : []), ...errors]}>
      {(c) => (
        <textarea
          id={c.id}
          rows={2}
          value={v}
          spellCheck={false}
          aria-invalid={c.invalid}
          aria-describedby={c.describedBy}
          onChange={(e) => {
            setV(e.target.value);
            try {
              const parsed: unknown = e.target.value.trim() === '' ? undefined : parse(e.target.value);
              setBad(null);
              onChange(parsed);
            } catch {
              setBad('Not valid YAML yet');
            }
          }}
        />
      )}
    </Field>
  );
}

function RenameField({ id, errors, onRename }: { id: string; errors: string[]; onRename(to: string): void }) {
  const [v, setV] = useState(id);
  useEffect(() => setV(id), [id]);
  const commit = () => {
    if (v && v !== id) onRename(v);
  };
  return (
    <Field label="Step id" hint="Renaming updates every step that points here (Enter or leave the field)." keepHint errors={errors}>
      {(c) => (
        <input
          id={c.id}
          value={v}
          aria-invalid={c.invalid}
          aria-describedby={c.describedBy}
          onChange={(e) => setV(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      )}
    </Field>
  );
}
