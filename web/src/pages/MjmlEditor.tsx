// MJML in CodeMirror 6 (XML mode), with the server's problems shown at their lines.
import { xml } from '@codemirror/lang-xml';
import { CodeEditor, type CodeEditorProps } from '../CodeEditor';

export type { LineIssue } from '../CodeEditor';

const MJML = xml();

export function MjmlEditor(props: CodeEditorProps) {
  return <CodeEditor {...props} language={MJML} label="Template MJML" wrap className="yaml-editor mjml-editor" />;
}
