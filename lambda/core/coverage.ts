/**
 * What a run read and what it could not, derived from the inventory in one place. The audit context
 * (may a check conclude "missing"?), drift (is an absent finding resolved, or only unverified?), run
 * records and the notification counts all ask this module, so they agree on every gap.
 *
 * A gap is a part of the organization the run did not read, located by account, region and cluster,
 * with why. Coverage errors that do not say where they happened are widened to the smallest part
 * that surely contains them (a region error naming no region: every region of the account).
 * Pure: no clock, no I/O.
 */
import type { CoverageError, Inventory } from './model';

/**
 * The parts a run reads, from the widest:
 * - `account`: the account as a whole (the member role could not be assumed, its IAM roles, OIDC
 *   providers or region list could not be read, or the run reached its deadline first: `NotScanned`);
 * - `regions`: which regions hold clusters (a region or cluster error that names no region);
 * - `region`: the cluster list of one region;
 * - `cluster`: one cluster as a whole (an error about a cluster the inventory does not hold, or whose
 *   Kubernetes API was read although its AWS side failed);
 * - `kubernetes`: one cluster's Kubernetes API (service accounts and pods).
 */
export type CoveragePart = 'account' | 'regions' | 'region' | 'cluster' | 'kubernetes';

export interface CoverageGap {
  part: CoveragePart;
  accountId: string;
  region?: string;
  cluster?: string;
  /** The coverage error's code, or the cluster's Kubernetes status when no error names it. */
  code: string;
  /** Why, as drift and the run records show it: `region eu-west-1 of 111122223333 Throttling: …`. */
  reason: string;
}

export interface ClusterRef {
  accountId: string;
  region: string;
  name: string;
}

/** What one run read, from its inventory only (`coverageOf`). Maps are keyed by `scopeKey`. */
export interface Coverage {
  /** Accounts present in the inventory (audited, possibly with gaps). */
  readonly accounts: ReadonlySet<string>;
  /** Every cluster entry of the inventory. */
  readonly clusters: ReadonlyMap<string, ClusterRef>;
  /** account → its `account` gap: its own data (IAM, region list) was not read. First error wins. */
  readonly accountsNotRead: ReadonlyMap<string, CoverageGap>;
  /**
   * account → why no scope of it can be trusted complete: its `account` gap, or a `regions` gap
   * (whichever error came first).
   */
  readonly accountGaps: ReadonlyMap<string, CoverageGap>;
  /** `scopeKey(account, region)` → why the region's clusters were not listed. */
  readonly regionGaps: ReadonlyMap<string, CoverageGap>;
  /** `scopeKey(account, region, cluster)` → why nothing about the cluster can be trusted. */
  readonly clusterGaps: ReadonlyMap<string, CoverageGap>;
  /** `scopeKey(account, region, cluster)` → why the cluster's service accounts and pods were not read. */
  readonly kubernetesGaps: ReadonlyMap<string, CoverageGap>;
}

/** The one key scheme of coverage: account, region, cluster (later parts optional). */
export function scopeKey(accountId: string, region?: string, cluster?: string): string {
  if (region === undefined) return accountId;
  return cluster === undefined
    ? `${accountId}\u0000${region}`
    : `${accountId}\u0000${region}\u0000${cluster}`;
}

/** Coverage while it is built: the same sets and maps, writable. */
interface CoverageDraft {
  accounts: Set<string>;
  clusters: Map<string, ClusterRef>;
  accountsNotRead: Map<string, CoverageGap>;
  accountGaps: Map<string, CoverageGap>;
  regionGaps: Map<string, CoverageGap>;
  clusterGaps: Map<string, CoverageGap>;
  kubernetesGaps: Map<string, CoverageGap>;
}

/** Derives from the inventory which parts this run read and which it did not. */
export function coverageOf(inventory: Pick<Inventory, 'accounts'>): Coverage {
  const coverage: CoverageDraft = {
    accounts: new Set<string>(),
    clusters: new Map<string, ClusterRef>(),
    accountsNotRead: new Map<string, CoverageGap>(),
    accountGaps: new Map<string, CoverageGap>(),
    regionGaps: new Map<string, CoverageGap>(),
    clusterGaps: new Map<string, CoverageGap>(),
    kubernetesGaps: new Map<string, CoverageGap>(),
  };
  for (const account of inventory.accounts) {
    const accountId = account.accountId;
    coverage.accounts.add(accountId);
    for (const cluster of account.clusters) {
      const key = scopeKey(accountId, cluster.region, cluster.name);
      coverage.clusters.set(key, { accountId, region: cluster.region, name: cluster.name });
      const status = cluster.kubernetes;
      if (status.status !== 'ok') {
        coverage.kubernetesGaps.set(key, {
          part: 'kubernetes',
          accountId,
          region: cluster.region,
          cluster: cluster.name,
          code: status.status,
          reason: `Kubernetes API of cluster ${cluster.name} (${cluster.region}) ${status.status}${status.reason ? `: ${status.reason}` : ''}`,
        });
      }
    }
    for (const error of account.errors) addError(coverage, accountId, error);
  }
  return coverage;
}

/**
 * Locates one coverage error. The first account-wide reason is kept; a later error about the same
 * region or cluster replaces an earlier one's reason.
 */
function addError(coverage: CoverageDraft, accountId: string, error: CoverageError): void {
  const why = `${error.code}: ${error.message}`;
  const code = error.code;
  if (error.scope === 'account' || error.region === undefined) {
    // An error that names no region may hide clusters in any region of the account.
    const gap: CoverageGap = {
      part: error.scope === 'account' ? 'account' : 'regions',
      accountId,
      code,
      reason: `account ${accountId} ${why}`,
    };
    if (gap.part === 'account' && !coverage.accountsNotRead.has(accountId))
      coverage.accountsNotRead.set(accountId, gap);
    if (!coverage.accountGaps.has(accountId)) coverage.accountGaps.set(accountId, gap);
    return;
  }
  const region = error.region;
  if (error.scope === 'region' || error.cluster === undefined) {
    coverage.regionGaps.set(scopeKey(accountId, region), {
      part: 'region',
      accountId,
      region,
      code,
      reason: `region ${region} of ${accountId} ${why}`,
    });
    return;
  }
  const key = scopeKey(accountId, region, error.cluster);
  const gap = {
    accountId,
    region,
    cluster: error.cluster,
    code,
    reason: `cluster ${error.cluster} (${region}) of ${accountId} ${why}`,
  };
  if (coverage.kubernetesGaps.has(key)) {
    // The error is the Kubernetes read failure the cluster entry already records: its AWS side was
    // read, so IAM-side findings about the cluster may resolve.
    coverage.kubernetesGaps.set(key, { part: 'kubernetes', ...gap });
  } else {
    coverage.clusterGaps.set(key, { part: 'cluster', ...gap });
  }
}

/** The account is in the inventory and its own data (IAM roles, OIDC providers) was read. */
export function accountRead(coverage: Coverage, accountId: string): boolean {
  return coverage.accounts.has(accountId) && !coverage.accountsNotRead.has(accountId);
}

export type ClusterCoverage =
  | { kind: 'complete' }
  | { kind: 'missing' }
  | { kind: 'partial'; notSeen: string[] };

/**
 * Could a cluster in `region` exist unseen? `missing` when that region (or every region) of
 * `accountId` was not listed; `partial` when only other accounts or their regions were not (they
 * may hold a cross-account cluster), naming them; `complete` otherwise.
 */
export function clusterCoverage(coverage: Coverage, accountId: string, region: string): ClusterCoverage {
  if (coverage.accountGaps.has(accountId) || coverage.regionGaps.has(scopeKey(accountId, region))) {
    return { kind: 'missing' };
  }
  const notSeen: string[] = [];
  for (const id of coverage.accountGaps.keys()) notSeen.push(`account ${id}`);
  for (const gap of coverage.regionGaps.values()) {
    if (gap.region === region) notSeen.push(`region ${gap.accountId}/${gap.region}`);
  }
  return notSeen.length > 0 ? { kind: 'partial', notSeen } : { kind: 'complete' };
}

/** How many of each part were not read: the run record's `audited` counts and the notification's. */
export function gapCounts(coverage: Coverage): {
  accountsNotRead: number;
  regionsNotListed: number;
  clustersNotRead: number;
} {
  return {
    accountsNotRead: coverage.accountsNotRead.size,
    regionsNotListed: coverage.regionGaps.size,
    clustersNotRead: coverage.kubernetesGaps.size,
  };
}
