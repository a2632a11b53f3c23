// The journey as YAML in CodeMirror 6: completion and hover help from the
// journey JSON Schema (journeys/journey.schema.json, generated from the zod
// schema the server validates with), and the server's validation issues shown
// at their lines. The schema's own linter is left out: the server's issues are
// the same rules with the step's context, and one source of diagnostics keeps
// them from replacing each other.
import { yaml, yamlLanguage } from '@codemirror/lang-yaml';
import { hoverTooltip } from '@codemirror/view';
import { stateExtensions } from 'codemirror-json-schema';
import { yamlCompletion, yamlSchemaHover } from 'codemirror-json-schema/yaml';
import journeySchema from '../../../journeys/journey.schema.json';
import { CodeEditor, type CodeEditorProps } from '../CodeEditor';

export type { LineIssue } from '../CodeEditor';

// A JSON import is typed by its literal shape, which TypeScript cannot relate to
// JSONSchema7's unions; the file is generated and tested to be a JSON Schema.
const SCHEMA = journeySchema as unknown as Parameters<typeof stateExtensions>[0];

const YAML = [yaml(), yamlLanguage.data.of({ autocomplete: yamlCompletion() }), hoverTooltip(yamlSchemaHover()), stateExtensions(SCHEMA)];

export function YamlEditor(props: CodeEditorProps) {
  return <CodeEditor {...props} language={YAML} label="Journey definition (YAML)" />;
}
