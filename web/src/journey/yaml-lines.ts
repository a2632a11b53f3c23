// Where an issue's path ("steps.2.template") sits in the YAML text, so the
// editor can mark its line; and which step (node) it is about.
import { isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

/** 1-based line of the node at `path` (or of its nearest existing parent). */
export function lineOf(text: string, path: string): number {
  const doc = parseDocument(text);
  const parts = path === '(body)' || path === '' ? [] : path.split('.');
  let node: unknown = doc.contents;
  let found: YamlNode | null = isMap(node) || isSeq(node) ? (node as YamlNode) : null;
  for (const p of parts) {
    if (isMap(node)) {
      const pair = node.items.find((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key) === p);
      if (!pair) break;
      found = (pair.key as YamlNode) ?? found;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(p)];
      if (item === undefined) break;
      found = item as YamlNode;
      node = item;
    } else break;
  }
  const offset = found?.range?.[0] ?? 0;
  return text.slice(0, offset).split('\n').length;
}

/** The step id an issue path points into, when it names a step: "steps.2.x" -> steps[2].id. */
export function stepOfPath(path: string, stepIds: string[]): string | null {
  const m = /^steps\.(\d+)(\.|$)/.exec(path);
  if (m) return stepIds[Number(m[1])] ?? null;
  if (path.startsWith('trigger')) return '__trigger';
  return null;
}
