/** Renders an ExplainReport: one line per guide step with ✓ / ✗ / – / ?, its evidence and fix. */
import type { ExplainReport, StepStatus } from '../core/explain';
import { resourceLabel } from './scan-report';
import { indentCode, wrap } from './text';

const MARK: Record<StepStatus, string> = { pass: '✓', fail: '✗', 'n/a': '–', unknown: '?' };

export function renderExplain(report: ExplainReport, width = 80): string {
  const t = report.target;
  const out: string[] = [];
  out.push(
    ...wrap(
      `Service account ${t.namespace}/${t.serviceAccount} in cluster ${t.cluster} (${t.region}, account ${t.accountId})`,
      width,
    ),
  );
  out.push(
    `Verdict: ${report.verdict === 'works' ? 'IRSA works' : report.verdict === 'broken' ? 'IRSA is broken' : 'could not be fully checked'}`,
    '',
  );
  for (const step of report.steps) {
    out.push(...wrap(`${MARK[step.status]} ${step.title}`, width));
    for (const line of step.evidence) out.push(...wrap(line, width, '    '));
    if (step.fix) {
      out.push('    fix:', ...indentCode(step.fix, '      '));
    }
  }
  if (report.relatedFindings.length) {
    out.push('', `Related findings (${report.relatedFindings.length}):`);
    for (const finding of report.relatedFindings) {
      out.push(
        ...wrap(`[${finding.severity}] ${finding.checkId} ${resourceLabel(finding.resource)}`, width, '  '),
      );
      out.push(...wrap(finding.message, width, '      '));
    }
  }
  return `${out.join('\n')}\n`;
}
