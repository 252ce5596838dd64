import { terminalSafe } from '../terminal-safe.js';

/**
 * A plain text table: a header row, columns padded to their widest cell, two spaces between.
 * No borders and no colour, so it greps, diffs and pastes cleanly; `--json` is there for machines.
 * (oclif 4 dropped `ux.table`, and @oclif/table needs Node 22.) Every cell and value goes through
 * terminalSafe: task keys, paths, headers and errors are written by others and must not reach the
 * terminal as control sequences (a line break in a cell is shown as `\x0a`, keeping one row a line).
 */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | null;
  align?: 'left' | 'right';
  /** Longer cells are cut with "…". */
  maxWidth?: number;
}

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const raw = column.value(row);
      const text = raw === null ? '-' : terminalSafe(String(raw));
      return column.maxWidth !== undefined && text.length > column.maxWidth
        ? `${text.slice(0, column.maxWidth - 1)}…`
        : text;
    }),
  );
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i].align === 'right' ? value.padStart(widths[i]) : value.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

/** Label/value pairs, labels padded: for one record (`tasks show`). */
export function renderFields(fields: readonly [string, string | number | null][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields
    .map(([label, value]) => `${label.padEnd(width)}  ${value === null ? '-' : terminalSafe(String(value))}`)
    .join('\n');
}
