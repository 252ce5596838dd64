/**
 * JUnit XML (the dialect CI servers read: testsuites > testsuite per group > testcase). A failed
 * case is a `<failure>` whose `type` is its level, MUST or SHOULD: JUnit has no "reported but not
 * failing", so a CI page shows a SHOULD failure too; the kit's exit code still counts only MUSTs.
 */
import type { CaseResult, Summary } from './runner.js';

export function junitReport(results: CaseResult[], summary: Summary): string {
  const groups = [...new Set(results.map((r) => r.case.group))];
  const suites = groups.map((group) => {
    const own = results.filter((r) => r.case.group === group);
    const seconds = own.reduce((sum, r) => sum + r.durationMs, 0) / 1000;
    const attrs = [
      `name="${escape(group)}"`,
      `tests="${own.length}"`,
      `failures="${own.filter((r) => r.outcome === 'fail').length}"`,
      `errors="0"`,
      `skipped="${own.filter((r) => r.outcome === 'skip').length}"`,
      `time="${seconds.toFixed(3)}"`,
    ].join(' ');
    return `  <testsuite ${attrs}>\n${own.map(testcase).join('')}  </testsuite>\n`;
  });
  const attrs = [
    'name="dispatchr-conformance"',
    `tests="${results.length}"`,
    `failures="${summary.failed}"`,
    'errors="0"',
    `skipped="${summary.skipped}"`,
    `time="${summary.seconds.toFixed(3)}"`,
  ].join(' ');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs}>\n${suites.join('')}</testsuites>\n`;
}

function testcase(r: CaseResult): string {
  const head = `    <testcase name="${escape(r.case.name)}" classname="conformance.${escape(r.case.group)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  const props = `      <properties><property name="section" value="${escape(r.case.section)}"/><property name="level" value="${r.case.level}"/></properties>\n`;
  const log = r.log.length > 0 ? `      <system-out>${escape(r.log.join('\n'))}</system-out>\n` : '';
  if (r.outcome === 'pass') return `${head}>\n${props}${log}    </testcase>\n`;
  if (r.outcome === 'skip')
    return `${head}>\n${props}      <skipped message="${escape(r.message ?? '')}"/>\n    </testcase>\n`;
  const message = escape(r.message ?? 'failed');
  return `${head}>\n${props}      <failure type="${r.case.level}" message="${message}">${message}</failure>\n${log}    </testcase>\n`;
}

/** XML-escapes text for attributes and content, dropping characters XML 1.0 cannot hold. */
export function escape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
