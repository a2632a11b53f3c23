// Loads journey definitions from YAML files, with errors naming file and line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { journeyDefinitionSchema, type JourneyDefinition } from './schema';

export const DEFINITIONS_DIR = resolve(import.meta.dirname, 'definitions');

export class JourneyFileError extends Error {
  override name = 'JourneyFileError';
}

export function parseJourneyYaml(file: string, text: string): JourneyDefinition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new JourneyFileError(`${file}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const parsed = journeyDefinitionSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
      return `${file}:${line}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    });
    throw new JourneyFileError(lines.join('\n'));
  }
  return parsed.data;
}

export function readJourneyFiles(dir = DEFINITIONS_DIR): JourneyDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => parseJourneyYaml(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}
