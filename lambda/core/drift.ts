/**
 * Drift between the findings stored as open and the findings of this run (docs/results-table.md).
 *
 * Coverage-aware: a finding that this run did not see is resolved only when this run actually
 * collected the scope the finding lives in. Accounts, regions and clusters with a coverage error
 * (including accounts cut by the deadline, code `NotScanned`) keep their findings open; accounts that
 * are absent from this run's inventory are out of scope and left untouched. What the run read comes
 * from coverage.ts, the same gaps the checks and the run record see. Pure: no clock, no I/O.
 */
import { accountOfArn } from './arn';
import { type Coverage, scopeKey } from './coverage';
import type { Finding } from './findings';

export interface DriftInput<P extends Finding = Finding> {
  /** Findings stored as open before this run. */
  previousOpen: readonly P[];
  /** Findings of this run. */
  current: readonly Finding[];
  coverage: Coverage;
  /**
   * Whether a check reads Kubernetes data (ServiceAccounts, Pods): its findings are not resolved for
   * clusters whose Kubernetes API was not read. From the check registry (`CHECKS[i].needsKubernetes`);
   * answer `true` for unknown ids to stay conservative.
   */
  needsKubernetes: (checkId: string) => boolean;
}

export interface RetainedFinding<P extends Finding = Finding> {
  finding: P;
  /** Why it could not be verified this run (the coverage gap). */
  reason: string;
}

export interface Drift<P extends Finding = Finding> {
  /** Open now, not open before. */
  new: Finding[];
  /** Open before, not found this run although its scope was collected. */
  resolved: P[];
  /**
   * Open before and still open: the current version when seen again, else the stored version
   * (kept open because its scope was not collected; those are also listed in `unverified`).
   */
  stillOpen: Finding[];
  /** Subset of `stillOpen`: not seen this run, kept open because its scope was not collected. */
  unverified: RetainedFinding<P>[];
  /** Open before, in accounts that this run did not audit at all: neither resolved nor reported. */
  outOfScope: P[];
}

/**
 * Why a finding's scope was not collected this run, or `undefined` when it was (so the finding's
 * absence from this run means it is resolved). The caller has already checked that the finding's
 * account is in the inventory.
 */
export function uncollectedReason(
  finding: Finding,
  coverage: Coverage,
  needsKubernetes: (checkId: string) => boolean,
): string | undefined {
  const { accountId, region, cluster } = finding.resource;
  const accountGap = coverage.accountGaps.get(accountId);
  if (accountGap) return accountGap.reason;
  // A finding can depend on another account's data: a service account's role (sa.role-untrusted),
  // a trusted provider. When that account was not collected, the finding cannot be re-verified.
  for (const arn of [finding.resource.roleArn, finding.resource.providerArn]) {
    const other = arn ? accountOfArn(arn) : undefined;
    if (other && other !== accountId) {
      const otherGap = coverage.accountGaps.get(other);
      if (otherGap) return otherGap.reason;
    }
  }
  if (region !== undefined) {
    const regionGap = coverage.regionGaps.get(scopeKey(accountId, region));
    if (regionGap) return regionGap.reason;
  }
  const kubernetes = needsKubernetes(finding.checkId);
  if (cluster !== undefined && region !== undefined) {
    const own = scopeKey(accountId, region, cluster);
    if (coverage.clusters.has(own) || coverage.clusterGaps.has(own)) {
      return clusterGap(own, coverage, kubernetes);
    }
    // The cluster is not in the finding's own account (a role trusting another account's cluster,
    // or a cluster that is gone). Look for it anywhere in the inventory.
    let seen = false;
    for (const [candidate, ref] of coverage.clusters) {
      if (ref.region !== region || ref.name !== cluster) continue;
      seen = true;
      const gap = clusterGap(candidate, coverage, kubernetes);
      if (gap) return gap;
    }
    for (const gap of coverage.clusterGaps.values()) {
      if (gap.region === region && gap.cluster === cluster) return gap.reason;
    }
    if (seen) return undefined;
    // Unknown cluster: deleted, or living where this run could not look.
    const hidden = hiddenRegionGap(region, coverage);
    if (hidden) return `cluster ${cluster} (${region}) not found and ${hidden}`;
    return undefined;
  }
  if (kubernetes && cluster === undefined) {
    // A Kubernetes-based finding that names no cluster: any unread cluster could have produced it.
    const first = coverage.kubernetesGaps.values().next();
    if (!first.done) return first.value.reason;
    const whole = coverage.clusterGaps.values().next();
    if (!whole.done) return whole.value.reason;
  }
  return undefined;
}

function clusterGap(clusterKey: string, coverage: Coverage, kubernetes: boolean): string | undefined {
  const whole = coverage.clusterGaps.get(clusterKey);
  if (whole) return whole.reason;
  if (kubernetes) return coverage.kubernetesGaps.get(clusterKey)?.reason;
  return undefined;
}

/** Why a cluster in `region` might exist unseen: any account not read, else a gap in that region. */
function hiddenRegionGap(region: string, coverage: Coverage): string | undefined {
  const account = coverage.accountGaps.values().next();
  if (!account.done) return account.value.reason;
  for (const gap of coverage.regionGaps.values()) {
    if (gap.region === region) return gap.reason;
  }
  for (const gap of coverage.clusterGaps.values()) {
    if (gap.region === region) return gap.reason;
  }
  return undefined;
}

/**
 * New / resolved / still open. Idempotent: with the same findings and inventory twice, the second
 * comparison (against what the first one stored) is empty.
 */
export function computeDrift<P extends Finding>(input: DriftInput<P>): Drift<P> {
  const needsKubernetes = input.needsKubernetes;
  const previous = new Map<string, P>();
  for (const finding of input.previousOpen) previous.set(finding.fingerprint, finding);
  const currentByFingerprint = new Map<string, Finding>();
  for (const finding of input.current) {
    if (!currentByFingerprint.has(finding.fingerprint))
      currentByFingerprint.set(finding.fingerprint, finding);
  }

  const drift: Drift<P> = { new: [], resolved: [], stillOpen: [], unverified: [], outOfScope: [] };
  for (const [fingerprint, finding] of currentByFingerprint) {
    if (previous.has(fingerprint)) drift.stillOpen.push(finding);
    else drift.new.push(finding);
  }
  for (const [fingerprint, finding] of previous) {
    if (currentByFingerprint.has(fingerprint)) continue;
    if (!input.coverage.accounts.has(finding.resource.accountId)) {
      drift.outOfScope.push(finding);
      continue;
    }
    const reason = uncollectedReason(finding, input.coverage, needsKubernetes);
    if (reason === undefined) {
      drift.resolved.push(finding);
    } else {
      drift.stillOpen.push(finding);
      drift.unverified.push({ finding, reason });
    }
  }
  return drift;
}

/** Drift that warrants a notification in `changes` mode: something new or something resolved. */
export function hasChanges(drift: Pick<Drift, 'new' | 'resolved'>): boolean {
  return drift.new.length > 0 || drift.resolved.length > 0;
}
