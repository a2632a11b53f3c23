// A CodeMirror 6 editor for a React page: the text in `value` (kept in step
// both ways), a language, and the server's problems shown at their lines (in
// the gutter and underlined). The YAML and MJML editors are this with their
// language and label.
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface LineIssue {
  line: number;
  message: string;
}

export interface CodeEditorProps {
  value: string;
  onChange(v: string): void;
  issues: LineIssue[];
  readOnly: boolean;
}

export function CodeEditor({
  value,
  onChange,
  issues,
  readOnly,
  language,
  label,
  wrap = false,
  className = 'yaml-editor',
}: CodeEditorProps & {
  /** The language support (read when the editor is created: pass a module-level constant). */
  language: Extension;
  /** The accessible name of the editing area. */
  label: string;
  /** Wrap long lines (MJML) instead of scrolling sideways (YAML). */
  wrap?: boolean;
  className?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          language,
          lintGutter(),
          linter(null),
          wrap ? EditorView.lineWrapping : [],
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // Created once per mode; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diagnostics: Diagnostic[] = issues.map((i) => {
      const line = doc.line(Math.min(Math.max(1, i.line), doc.lines));
      return { from: line.from, to: line.to, severity: 'error', message: i.message };
    });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [issues, value]);

  return <div className={className} ref={host} />;
}
