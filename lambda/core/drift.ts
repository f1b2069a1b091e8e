/**
 * Drift between the findings stored as open and the findings of this run (SPEC §5).
 *
 * Coverage-aware: a finding that this run did not see is resolved only when this run actually
 * collected the scope the finding lives in. Accounts, regions and clusters with a coverage error
 * (including accounts cut by the deadline, code `NotScanned`) keep their findings open; accounts that
 * are absent from this run's inventory are out of scope and left untouched. Pure: no clock, no I/O.
 */
import { accountOfArn } from './arn';
import type { Finding } from './findings';
import type { Inventory } from './model';

/** What this run collected and what it could not, derived from the inventory only. */
export interface Coverage {
  /** Accounts present in this run's inventory (audited, possibly with errors). */
  accounts: ReadonlySet<string>;
  /** account id → why it was not collected (account-scope error, e.g. AccessDenied, NotScanned). */
  uncollectedAccounts: ReadonlyMap<string, string>;
  /** `account|region` → why the region was not listed. */
  uncollectedRegions: ReadonlyMap<string, string>;
  /** Regions with an error in any account (an unknown cluster may live there). */
  regionsWithErrors: ReadonlySet<string>;
  /** `account|region|cluster` → why nothing about the cluster could be collected (cluster-scope error, no entry). */
  uncollectedClusters: ReadonlyMap<string, string>;
  /** `account|region|cluster` → why the cluster's Kubernetes API (service accounts, pods) was not read. */
  kubernetesUncollected: ReadonlyMap<string, string>;
  /** `account|region|cluster` of every cluster present in the inventory. */
  clusters: ReadonlySet<string>;
}

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

const key = (...parts: (string | undefined)[]): string => parts.map((part) => part ?? '').join('|');

/** Derives from the inventory which scopes this run collected and which it did not. */
export function coverageOf(inventory: Inventory): Coverage {
  const accounts = new Set<string>();
  const uncollectedAccounts = new Map<string, string>();
  const uncollectedRegions = new Map<string, string>();
  const regionsWithErrors = new Set<string>();
  const uncollectedClusters = new Map<string, string>();
  const kubernetesUncollected = new Map<string, string>();
  const clusters = new Set<string>();

  for (const account of inventory.accounts) {
    const accountId = account.accountId;
    accounts.add(accountId);
    const clustersHere = new Map<string, (typeof account.clusters)[number]>();
    for (const cluster of account.clusters) {
      const clusterKey = key(accountId, cluster.region, cluster.name);
      clusters.add(clusterKey);
      clustersHere.set(clusterKey, cluster);
      const status = cluster.kubernetes;
      if (status.status !== 'ok') {
        kubernetesUncollected.set(
          clusterKey,
          `Kubernetes API of cluster ${cluster.name} (${cluster.region}) ${status.status}${status.reason ? `: ${status.reason}` : ''}`,
        );
      }
    }
    for (const error of account.errors) {
      const reason = `${error.code}: ${error.message}`;
      if (error.scope === 'account') {
        if (!uncollectedAccounts.has(accountId))
          uncollectedAccounts.set(accountId, `account ${accountId} ${reason}`);
      } else if (error.scope === 'region') {
        if (error.region === undefined) {
          // A region error that does not say which region: nothing in the account can be trusted.
          if (!uncollectedAccounts.has(accountId))
            uncollectedAccounts.set(accountId, `account ${accountId} ${reason}`);
          continue;
        }
        regionsWithErrors.add(error.region);
        uncollectedRegions.set(
          key(accountId, error.region),
          `region ${error.region} of ${accountId} ${reason}`,
        );
      } else {
        if (error.region === undefined || error.cluster === undefined) {
          // A cluster error that names no cluster: treat every cluster of the account (or region) as unknown.
          if (error.region === undefined) {
            if (!uncollectedAccounts.has(accountId))
              uncollectedAccounts.set(accountId, `account ${accountId} ${reason}`);
          } else {
            regionsWithErrors.add(error.region);
            uncollectedRegions.set(
              key(accountId, error.region),
              `region ${error.region} of ${accountId} ${reason}`,
            );
          }
          continue;
        }
        const clusterKey = key(accountId, error.region, error.cluster);
        const entry = clustersHere.get(clusterKey);
        const message = `cluster ${error.cluster} (${error.region}) of ${accountId} ${reason}`;
        if (entry && entry.kubernetes.status !== 'ok') {
          // The error is the Kubernetes read failure the cluster entry already records: IAM-side
          // findings about the cluster were evaluated and may resolve.
          kubernetesUncollected.set(clusterKey, message);
        } else {
          uncollectedClusters.set(clusterKey, message);
          regionsWithErrors.add(error.region);
        }
      }
    }
  }
  return {
    accounts,
    uncollectedAccounts,
    uncollectedRegions,
    regionsWithErrors,
    uncollectedClusters,
    kubernetesUncollected,
    clusters,
  };
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
  const accountGap = coverage.uncollectedAccounts.get(accountId);
  if (accountGap) return accountGap;
  // A finding can depend on another account's data: a service account's role (sa.role-untrusted),
  // a trusted provider. When that account was not collected, the finding cannot be re-verified.
  for (const arn of [finding.resource.roleArn, finding.resource.providerArn]) {
    const other = arn ? accountOfArn(arn) : undefined;
    if (other && other !== accountId) {
      const otherGap = coverage.uncollectedAccounts.get(other);
      if (otherGap) return otherGap;
    }
  }
  if (region !== undefined) {
    const regionGap = coverage.uncollectedRegions.get(key(accountId, region));
    if (regionGap) return regionGap;
  }
  const kubernetes = needsKubernetes(finding.checkId);
  if (cluster !== undefined && region !== undefined) {
    const own = key(accountId, region, cluster);
    if (coverage.clusters.has(own) || coverage.uncollectedClusters.has(own)) {
      return clusterGap(own, coverage, kubernetes);
    }
    // The cluster is not in the finding's own account (a role trusting another account's cluster,
    // or a cluster that is gone). Look for it anywhere in the inventory.
    let seen = false;
    for (const candidate of coverage.clusters) {
      const [, candidateRegion, candidateName] = candidate.split('|');
      if (candidateRegion !== region || candidateName !== cluster) continue;
      seen = true;
      const gap = clusterGap(candidate, coverage, kubernetes);
      if (gap) return gap;
    }
    for (const [candidate, gap] of coverage.uncollectedClusters) {
      const [, candidateRegion, candidateName] = candidate.split('|');
      if (candidateRegion === region && candidateName === cluster) return gap;
    }
    if (seen) return undefined;
    // Unknown cluster: deleted, or living where this run could not look.
    const hidden = hiddenRegionGap(region, coverage);
    if (hidden) return `cluster ${cluster} (${region}) not found and ${hidden}`;
    return undefined;
  }
  if (kubernetes && cluster === undefined) {
    // A Kubernetes-based finding that names no cluster: any unread cluster could have produced it.
    const first = coverage.kubernetesUncollected.values().next();
    if (!first.done) return first.value;
    const whole = coverage.uncollectedClusters.values().next();
    if (!whole.done) return whole.value;
  }
  return undefined;
}

function clusterGap(clusterKey: string, coverage: Coverage, kubernetes: boolean): string | undefined {
  const whole = coverage.uncollectedClusters.get(clusterKey);
  if (whole) return whole;
  if (kubernetes) return coverage.kubernetesUncollected.get(clusterKey);
  return undefined;
}

function hiddenRegionGap(region: string, coverage: Coverage): string | undefined {
  const account = coverage.uncollectedAccounts.values().next();
  if (!account.done) return account.value;
  if (coverage.regionsWithErrors.has(region)) {
    for (const [regionKey, gap] of coverage.uncollectedRegions) {
      if (regionKey.endsWith(`|${region}`)) return gap;
    }
    for (const [clusterKey, gap] of coverage.uncollectedClusters) {
      if (clusterKey.split('|')[1] === region) return gap;
    }
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
