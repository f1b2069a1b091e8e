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
    "The *reads* column lists the parts of the inventory a check depends on ([inventory.md](inventory.md#coverage)). A check runs on a cluster only when that cluster's parts among them were read; otherwise it is **skipped** for the cluster (listed under `skipped` in the JSON output, with the part, and covered by `scan.cluster-unreachable`), never reported as passing. Drift resolves a finding only when every part its check reads was read in every account the finding depends on ([results-table.md](results-table.md)).",
    '',
    '| id | severity | title | reads |',
    '|---|---|---|---|',
  ];
  for (const check of checks) {
    out.push(
      `| [\`${check.id}\`](#${check.id.replace(/\./g, '')}) | ${check.severity}${check.severityNote ? '*' : ''} | ${check.title} | ${readsOf(check)} |`,
    );
  }
  out.push('', '\\* severity depends on the case; see the check.', '');
  for (const check of checks) {
    out.push(`## ${check.id}`, '');
    out.push(`- **Severity:** ${check.severity}${check.severityNote ? ` (${check.severityNote})` : ''}`);
    if (check.guideStep) out.push(`- **Guide step:** ${GUIDE_STEPS[check.guideStep]}`);
    out.push(`- **Reads:** ${readsOf(check)}`, '');
    out.push(`**${check.title}.** ${check.description}`, '');
    out.push(`**Remediation:** ${check.remediation}`, '');
    if (check.commands?.length) out.push('```sh', ...check.commands, '```', '');
  }
  return out.join('\n');
}

function readsOf(check: Check): string {
  return check.reads.length > 0 ? check.reads.join(', ') : 'coverage errors only';
}
