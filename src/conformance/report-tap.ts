/**
 * TAP version 13 (https://testanything.org/tap-version-13-specification.html). A failed SHOULD is
 * `not ok ... # TODO`: TAP consumers then list it without failing the run, which is what a SHOULD
 * means here. A skipped guarantees case is `ok ... # SKIP <reason>`. Failure details go into the
 * YAML block under the line.
 */
import type { CaseResult, Summary } from './runner.js';

export function tapHeader(count: number): string {
  return `TAP version 13\n1..${count}\n`;
}

export function tapLine(result: CaseResult): string {
  const name = oneLine(`${result.case.name} [${result.case.level}]`).replace(/#/g, '\\#');
  if (result.outcome === 'skip') return `ok ${result.number} - ${name} # SKIP ${oneLine(result.message ?? '')}\n`;
  if (result.outcome === 'pass') return `ok ${result.number} - ${name}\n`;
  const directive = result.case.level === 'SHOULD' ? ' # TODO SHOULD: reported, does not fail the run' : '';
  const lines = [
    `not ok ${result.number} - ${name}${directive}`,
    '  ---',
    `  message: ${JSON.stringify(result.message ?? 'failed')}`,
    `  section: ${JSON.stringify(result.case.section)}`,
    `  group: ${result.case.group}`,
    `  level: ${result.case.level}`,
    `  duration_ms: ${result.durationMs}`,
  ];
  if (result.log.length > 0) lines.push('  log:', ...result.log.map((line) => `    - ${JSON.stringify(line)}`));
  lines.push('  ...');
  return `${lines.join('\n')}\n`;
}

export function tapFooter(summary: Summary): string {
  return `# ${summary.passed} passed, ${summary.failed} failed (${summary.failedMust} MUST), ${summary.skipped} skipped\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
