// The journey as YAML in CodeMirror 6, with the server's validation issues
// shown at their lines.
import { yaml } from '@codemirror/lang-yaml';
import { CodeEditor, type CodeEditorProps } from '../CodeEditor';

export type { LineIssue } from '../CodeEditor';

const YAML = yaml();

export function YamlEditor(props: CodeEditorProps) {
  return <CodeEditor {...props} language={YAML} label="Journey definition (YAML)" />;
}
