// Turns an import file (CSV or NDJSON) into contact objects, one row at a time,
// as the bytes stream in: neither format is ever held in memory whole.
import { CsvError, parse } from 'csv-parse';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CSV_COLUMNS } from './import-columns';

export type ImportFormat = 'csv' | 'ndjson';

export interface RowError {
  line: number;
  field: string;
  reason: string;
}

/** One row of the file: the contact object it describes, or why it has none. */
export type ParsedRow = { line: number; value: Record<string, unknown> } | { line: number; error: RowError };

/** A problem with the file as a whole (a bad header): nothing after it can be read. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
  constructor(
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export { CSV_COLUMNS };
/** Separates tags inside the CSV `tags` cell. */
export const CSV_TAG_SEPARATOR = '|';

type Column = { kind: 'field'; name: (typeof CSV_COLUMNS)[number] } | { kind: 'attribute'; name: string };

const byLowerName = new Map<string, (typeof CSV_COLUMNS)[number]>(CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));

/** Reads the header row: every column must be known, once; `email` is required. */
function readHeader(cells: string[], line: number): Column[] {
  const seen = new Set<string>();
  const columns = cells.map((raw): Column => {
    const cell = raw.trim();
    const attr = /^attributes\.(.+)$/.exec(cell);
    const column: Column | null = attr
      ? { kind: 'attribute', name: attr[1]! }
      : byLowerName.has(cell.toLowerCase())
        ? { kind: 'field', name: byLowerName.get(cell.toLowerCase())! }
        : null;
    if (!column) {
      throw new ImportFileError(
        line,
        cell || '(empty column name)',
        `unknown column "${cell}": use ${CSV_COLUMNS.join(', ')} or attributes.<name>`,
      );
    }
    const key = `${column.kind}:${column.name}`;
    if (seen.has(key)) throw new ImportFileError(line, cell, `column "${cell}" appears twice`);
    seen.add(key);
    return column;
  });
  if (!columns.some((c) => c.kind === 'field' && c.name === 'email')) {
    throw new ImportFileError(line, 'email', 'the header must have an "email" column');
  }
  return columns;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/** A CSV row as the object POST /v1/contacts takes. Empty cells leave the field as it is. */
function csvContact(columns: Column[], cells: string[]): Record<string, unknown> {
  const contact: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  columns.forEach((col, i) => {
    const cell = (cells[i] ?? '').trim();
    if (cell === '') return;
    if (col.kind === 'attribute') attributes[col.name] = cell;
    else if (col.name === 'tags')
      contact.tags = cell
        .split(CSV_TAG_SEPARATOR)
        .map((t) => t.trim())
        .filter(Boolean);
    else if (col.name === 'marketingConsent') {
      const v = cell.toLowerCase();
      // Anything else stays a string, so validation names the field.
      contact.marketingConsent = TRUE.has(v) ? true : FALSE.has(v) ? false : cell;
    } else contact[col.name] = cell;
  });
  if (Object.keys(attributes).length > 0) contact.attributes = attributes;
  return contact;
}

/** Line breaks inside a record's quoted cells (the record spans that many more lines). */
function embeddedLineBreaks(record: string[]): number {
  let n = 0;
  record.forEach((cell, i) => {
    if (!cell.includes('\n') && !cell.includes('\r')) return;
    // A file that mixes LF and CRLF leaves the CR of a CRLF at the end of the last cell: not a line.
    const text = i === record.length - 1 && cell.endsWith('\r') ? cell.slice(0, -1) : cell;
    n += text.match(/\r\n|\r|\n/g)?.length ?? 0;
  });
  return n;
}

async function* csvRows(input: Readable): AsyncGenerator<ParsedRow> {
  // Lines are counted here rather than with the parser's `info` (a third of its cost per row):
  // every record is one line plus the line breaks inside its quoted cells; empty lines arrive as
  // one empty cell. relax_column_count: a short row is a row error, not the end of the file.
  const parser = input.pipe(parse({ bom: true, relax_column_count: true }));
  input.once('error', (err) => parser.destroy(err));
  let columns: Column[] | null = null;
  let next = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = next;
      next += 1 + embeddedLineBreaks(record);
      if (record.length === 1 && record[0] === '') continue;
      if (!columns) {
        columns = readHeader(record, line);
        continue;
      }
      if (record.length !== columns.length) {
        yield { line, error: { line, field: '(row)', reason: `has ${record.length} cells; the header has ${columns.length}` } };
        continue;
      }
      yield { line, value: csvContact(columns, record) };
    }
  } catch (err) {
    // Malformed CSV (e.g. a quote never closed): the parser cannot resynchronise, so the file stops here.
    if (err instanceof CsvError) throw new ImportFileError(typeof err.lines === 'number' ? err.lines : next, '(file)', err.message);
    throw err;
  }
  if (!columns) throw new ImportFileError(1, '(file)', 'the file is empty: a CSV import needs a header row');
}

async function* ndjsonRows(input: Readable): AsyncGenerator<ParsedRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      yield { line, error: { line, field: '(line)', reason: 'is not valid JSON' } };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: { line, field: '(line)', reason: 'must be a JSON object (one contact per line)' } };
      continue;
    }
    yield { line, value: { ...value } };
  }
}

/** The rows of an import file, in order, with their line numbers (1-based; the CSV header is a line). */
export function parseRows(input: Readable, format: ImportFormat): AsyncGenerator<ParsedRow> {
  return format === 'csv' ? csvRows(input) : ndjsonRows(input);
}
