// Loads journey definitions from YAML files, with errors naming file and line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { JourneyDefinition } from './schema';
import { validateJourney, type ValidationContext } from './validate';

export const DEFINITIONS_DIR = resolve(import.meta.dirname, 'definitions');

export class JourneyFileError extends Error {
  override name = 'JourneyFileError';
}

export function parseJourneyYaml(file: string, text: string, ctx: ValidationContext = {}): JourneyDefinition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new JourneyFileError(`${file}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const result = validateJourney(doc.toJS(), ctx);
  if (!result.ok) {
    const lines = result.issues.map((issue) => {
      // The deepest node of the path that exists in the file gives the line.
      let line = 1;
      for (let n = issue.path.length; n >= 0; n--) {
        const node = doc.getIn(issue.path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) {
          line = lineCounter.linePos(node.range[0]).line;
          break;
        }
      }
      return `${file}:${line}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    });
    throw new JourneyFileError(lines.join('\n'));
  }
  return result.definition;
}

export function readJourneyFiles(dir = DEFINITIONS_DIR, ctx: ValidationContext = {}): JourneyDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => parseJourneyYaml(join(dir, f), readFileSync(join(dir, f), 'utf8'), ctx));
}
