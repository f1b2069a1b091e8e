/** Generates docs/checks.md from the check registry: the catalogue is the code's own metadata. */
import type { Check } from '../core/checks/types';
import { GUIDE_STEPS } from '../core/checks/types';

export function renderChecksDoc(checks: readonly Check[]): string {
  const out: string[] = [
    '<!-- Generated from lambda/core/checks by `npm run docs:checks`. Do not edit: a test fails when it is stale. -->',
    '# Checks',
    '',
    `irsa-auditor runs ${checks.length} checks. Each finding carries the check id, severity, a specific message, the resource, trimmed evidence, a concrete remediation (prose, and the commands to run, each on its own line), the guide step it automates and a stable fingerprint (see [output.md](output.md)).`,
    '',
    'Checks marked *needs Kubernetes* read ServiceAccounts or Pods: for a cluster whose Kubernetes API could not be read they are **skipped** (listed under `skipped` in the JSON output and covered by `scan.cluster-unreachable`), never reported as passing.',
    '',
    '| id | severity | title | needs Kubernetes |',
    '|---|---|---|---|',
  ];
  for (const check of checks) {
    out.push(
      `| [\`${check.id}\`](#${check.id.replace(/\./g, '')}) | ${check.severity}${check.severityNote ? '*' : ''} | ${check.title} | ${check.needsKubernetes ? 'yes' : 'no'} |`,
    );
  }
  out.push('', '\\* severity depends on the case; see the check.', '');
  for (const check of checks) {
    out.push(`## ${check.id}`, '');
    out.push(`- **Severity:** ${check.severity}${check.severityNote ? ` (${check.severityNote})` : ''}`);
    if (check.guideStep) out.push(`- **Guide step:** ${GUIDE_STEPS[check.guideStep]}`);
    out.push(`- **Needs Kubernetes data:** ${check.needsKubernetes ? 'yes' : 'no'}`, '');
    out.push(`**${check.title}.** ${check.description}`, '');
    out.push(`**Remediation:** ${check.remediation}`, '');
    if (check.commands?.length) out.push('```sh', ...check.commands, '```', '');
  }
  return out.join('\n');
}
