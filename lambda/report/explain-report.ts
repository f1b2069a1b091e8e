/**
 * Renders an ExplainReport: the credentials the pods get and the verdict, then one block per guide
 * step with ✓ / ✗ / ! / – / ?, the evidence, and the checks' findings with their fixes.
 */
import { partLabel } from '../core/coverage';
import type { Credentials, ExplainReport, ExplainStep, StepStatus } from '../core/explain/index';
import { MECHANISM_NAMES } from '../core/explain/index';
import { resourceLabel } from './labels';
import { codeBlock, mdEscape } from './markdown';
import { fixCommands, fixLines } from './scan-report';
import { plural, wrap } from './text';

export const EXPLAIN_FORMATS = ['text', 'json', 'markdown'] as const;
export type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

const MARK: Record<StepStatus, string> = { pass: '✓', fail: '✗', warn: '!', 'n/a': '–', unknown: '?' };

function heading(report: ExplainReport): string {
  const t = report.target;
  return `Service account ${t.namespace}/${t.serviceAccount} in cluster ${t.cluster} (${t.region}, account ${t.accountId})`;
}

function credentialsLine(report: ExplainReport): string {
  const m = report.mechanism;
  const short = (credentials: Credentials) =>
    credentials === 'none' ? 'neither' : MECHANISM_NAMES[credentials];
  const parts = [`new pods: ${m.newPods === 'unknown' ? 'unknown' : short(m.newPods)}`];
  if (!m.runningPods) parts.push('running pods: not read');
  else if (m.runningPods.length === 0) parts.push('no running pod');
  else {
    const counts = new Map<Credentials, number>();
    for (const pod of m.runningPods) counts.set(pod.credentials, (counts.get(pod.credentials) ?? 0) + 1);
    const described = [...counts].map(
      ([credentials, count]) =>
        `${count} ${credentials === 'none' ? 'neither' : MECHANISM_NAMES[credentials]}`,
    );
    parts.push(`running pods: ${described.join(', ')}`);
  }
  return `Pods get: ${MECHANISM_NAMES[m.effective]} (${parts.join('; ')})`;
}

function scopeLine(report: ExplainReport): string {
  const w = report.scope.work;
  return `Evaluated: ${plural(w.roles, 'role')}, ${plural(w.providers, 'provider')}, ${plural(w.clusters, 'cluster')}, ${plural(w.serviceAccounts, 'service account')}, ${plural(w.workloads, 'workload')}`;
}

export function renderExplain(report: ExplainReport, format: ExplainFormat = 'text', width = 80): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return renderMarkdown(report);
  const out: string[] = [];
  out.push(...wrap(heading(report), width));
  if (report.kubernetesNotRead)
    out.push(...wrap(`Kubernetes API not read: ${report.kubernetesNotRead}`, width));
  for (const line of notReadLines(report)) out.push(...wrap(line, width));
  out.push(...wrap(credentialsLine(report), width));
  out.push(...wrap(`Verdict: ${report.summary}`, width), '');
  for (const step of report.steps) out.push(...renderStep(step, width));
  out.push('', ...wrap(scopeLine(report), width));
  return `${out.join('\n')}\n`;
}

/** Parts other than the Kubernetes API (its own line above) that were not read: their steps show `?`. */
function notReadLines(report: ExplainReport): string[] {
  return report.notRead
    .filter((gap) => gap.part !== 'service-accounts' && gap.part !== 'pods')
    .map((gap) => `? Not read: ${partLabel(gap.part)}: ${gap.reason}`);
}

function renderStep(step: ExplainStep, width: number): string[] {
  const out = wrap(`${MARK[step.status]} ${step.title}`, width);
  for (const line of step.evidence) out.push(...wrap(line, width, '    '));
  for (const finding of step.findings) {
    out.push(
      ...wrap(`[${finding.severity}] ${finding.checkId} ${resourceLabel(finding.resource)}`, width, '    '),
    );
    out.push(...wrap(finding.message, width, '      '));
    if (finding.remediation || fixCommands(finding).length) out.push(...fixLines(finding, width, '      '));
    out.push(`      id ${finding.fingerprint}`);
  }
  return out;
}

function renderMarkdown(report: ExplainReport): string {
  const out: string[] = [
    `## ${mdEscape(heading(report))}`,
    '',
    `**Verdict:** ${mdEscape(report.summary)}  `,
    `${mdEscape(credentialsLine(report))}  `,
  ];
  if (report.kubernetesNotRead) out.push(`Kubernetes API not read: ${mdEscape(report.kubernetesNotRead)}`);
  for (const line of notReadLines(report)) out.push(`${mdEscape(line)}  `);
  out.push('');
  for (const step of report.steps) {
    out.push(`### ${MARK[step.status]} ${mdEscape(step.title)}`, '');
    for (const line of step.evidence) out.push(`- ${mdEscape(line)}`);
    for (const finding of step.findings) {
      out.push(
        `- **${finding.severity}** \`${finding.checkId}\` ${mdEscape(finding.message)} (\`${finding.fingerprint}\`)`,
      );
      const [prose, ...code] = finding.remediation.split('\n');
      if (prose) out.push('', `  Fix: ${mdEscape(prose)}`);
      if (code.length) out.push('', ...codeBlock(code.join('\n'), 'text').map((line) => `  ${line}`));
      const commands = fixCommands(finding);
      if (commands.length) out.push('', ...codeBlock(commands.join('\n'), 'sh').map((line) => `  ${line}`));
    }
    out.push('');
  }
  out.push(`_${mdEscape(scopeLine(report))}_`);
  return `${out.join('\n')}\n`;
}
