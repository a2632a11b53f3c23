// The journey as YAML in CodeMirror 6, with the server's validation issues
// shown at their lines.
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface LineIssue {
  line: number;
  message: string;
}

export function YamlEditor({
  value,
  onChange,
  issues,
  readOnly,
}: {
  value: string;
  onChange(v: string): void;
  issues: LineIssue[];
  readOnly: boolean;
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
          yaml(),
          lintGutter(),
          linter(null),
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ 'aria-label': 'Journey definition (YAML)' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; later `value`s arrive through the effect below.
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

  return <div className="yaml-editor" ref={host} />;
}
