// A small RFC 4180 CSV reader and writer, for the import page's column mapping
// (the server parses the file again; this only renames and drops columns).
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const quote = (v: string) => (/[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Rows back to CSV, keeping only the columns `keep` (by index), the header renamed. */
export function writeCsv(rows: string[][], header: string[], keep: number[]): string {
  const out = [keep.map((i) => quote(header[i]!)).join(',')];
  for (const r of rows.slice(1)) {
    out.push(keep.map((i) => quote(r[i] ?? '')).join(','));
  }
  return out.join('\n') + '\n';
}
