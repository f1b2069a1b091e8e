/**
 * A run's findings to Security Hub (docs/deployment.md "Security Hub"), as the pipeline's
 * `RunExporter`:
 * - every finding open after the run (new, and still open: a re-import refreshes it, so Security Hub
 *   never ages it out, and retries any import that failed last time) is imported ACTIVE;
 * - every finding the run resolved, and those whose archiving failed in an earlier run (carried), are
 *   archived and marked RESOLVED;
 * - every finding a suppressions file covers is imported and marked SUPPRESSED;
 * - what Security Hub refused to archive is carried to the next run; nothing stored is lost.
 */
import type { ExportRun, RunExporter } from '../app/ports';
import type { ExportOutcome } from '../app/run-record';
import type { Finding } from '../core/findings';
import type { AsffFinding } from './asff';
import type { SecurityHubExporter } from './security-hub-exporter';

export const SECURITY_HUB_EXPORTER = 'securityHub';

function withTimes(finding: Finding): AsffFinding {
  const stored = finding as Finding & { firstSeen?: string; lastSeen?: string };
  return {
    ...finding,
    ...(stored.firstSeen ? { firstSeen: stored.firstSeen } : {}),
    ...(stored.lastSeen ? { lastSeen: stored.lastSeen } : {}),
  };
}

export class SecurityHubRunExporter implements RunExporter {
  readonly name = SECURITY_HUB_EXPORTER;

  constructor(private readonly hub: SecurityHubExporter) {}

  async export(run: ExportRun): Promise<ExportOutcome> {
    const open = [...run.drift.new, ...run.drift.stillOpen].map(withTimes);
    const suppressed = run.suppressed.map(withTimes);
    const openNow = new Set([...open, ...suppressed].map((finding) => finding.fingerprint));
    const resolved = new Map<string, AsffFinding>();
    for (const finding of [...run.carried, ...run.drift.resolved]) {
      // A carried finding that is open again is imported as open instead.
      if (!openNow.has(finding.fingerprint)) resolved.set(finding.fingerprint, withTimes(finding));
    }
    const outcome = await this.hub.sync(
      { open, resolved: [...resolved.values()], suppressed },
      run.now.toISOString(),
    );
    const failedResolved = new Set(
      outcome.failed.filter((f) => f.step === 'archive' || f.step === 'resolve').map((f) => f.fingerprint),
    );
    const carry = [...resolved.values()].filter((finding) => failedResolved.has(finding.fingerprint));
    const total = open.length + suppressed.length + resolved.size;
    const detail =
      `imported ${outcome.imported} of ${open.length + suppressed.length} open (${outcome.suppressed} marked suppressed), archived ${outcome.archived} and resolved ${outcome.resolved} of ${resolved.size} resolved` +
      (outcome.failed.length
        ? `; ${outcome.failed.length} refused (first: ${outcome.failed[0]!.code} ${outcome.failed[0]!.message})`
        : '');
    const status =
      outcome.failed.length === 0 ? 'ok' : outcome.failed.length >= total && total > 0 ? 'failed' : 'partial';
    return {
      name: this.name,
      status,
      detail: detail.slice(0, 500),
      // One entry per finding: a step only sends what the steps before it accepted.
      refused: outcome.failed.length,
      ...(carry.length ? { carry: carry.map(stripTimes) } : {}),
    };
  }
}

/** What the run record keeps of a carried finding: the finding, without the ASFF times. */
function stripTimes(finding: AsffFinding): Finding {
  const { firstSeen: _first, lastSeen: _last, commands, ...rest } = finding;
  return { ...rest, ...(commands ? { commands } : {}) } as Finding;
}
