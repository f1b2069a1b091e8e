/**
 * What a run read and what it could not, derived from the inventory in one place. The audit context
 * (may a check conclude "missing"?), the engine (may a check run on this cluster?), drift (is an absent
 * finding resolved, or only unverified?), run records and the notification counts all ask this module,
 * so they agree on every gap (docs/architecture.md, "Coverage").
 *
 * The unit is a part (model.ts `Part`): one account's IAM roles, OIDC providers or region list, one
 * region's cluster list, one cluster's DescribeCluster, Pod Identity associations, service accounts or
 * pods. A part is read when the run asked for it and no coverage error names it. Errors of older
 * files that do not name their parts are widened to every part they may cover (`partsOf`).
 * Pure: no clock, no I/O.
 */
import {
  ACCOUNT_PARTS,
  type Account,
  CLUSTER_PARTS,
  type Cluster,
  type CoverageError,
  type Inventory,
  type InventoryScope,
  type Part,
} from './model';

export type { Part } from './model';

/** One part the run did not read, located by account, region and cluster, with why. */
export interface CoverageGap {
  part: Part;
  accountId: string;
  region?: string;
  cluster?: string;
  /** The coverage error's code, the cluster's Kubernetes status, or `OutOfScope`. */
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
  /** Which accounts the run chose (model.ts `InventoryScope`); older files: `organization`. */
  readonly scope: InventoryScope;
  /** Accounts present in the inventory (audited, possibly with gaps). */
  readonly accounts: ReadonlySet<string>;
  /** Every cluster entry of the inventory. */
  readonly clusters: ReadonlyMap<string, ClusterRef>;
  /**
   * account → its unread account parts. `account` means nothing of the account was read; a
   * `cluster-list` entry here is a cluster-list failure that names no region (every region).
   */
  readonly accountGaps: ReadonlyMap<string, ReadonlyMap<Part, CoverageGap>>;
  /** The regions the run was limited to, when it was (model.ts `Inventory.regionFilter`). */
  readonly regionFilter?: ReadonlySet<string>;
  /** account → the regions whose cluster lists were asked for, when the inventory records them. */
  readonly regionsAsked: ReadonlyMap<string, ReadonlySet<string>>;
  /** `scopeKey(account, region)` → why the region's clusters were not listed. */
  readonly regionGaps: ReadonlyMap<string, CoverageGap>;
  /** `scopeKey(account, region, cluster)` → the cluster's unread parts. */
  readonly clusterGaps: ReadonlyMap<string, ReadonlyMap<Part, CoverageGap>>;
}

/** The one key scheme of coverage: account, region, cluster (later parts optional). */
export function scopeKey(accountId: string, region?: string, cluster?: string): string {
  if (region === undefined) return accountId;
  return cluster === undefined
    ? `${accountId}\u0000${region}`
    : `${accountId}\u0000${region}\u0000${cluster}`;
}

const KUBERNETES_PARTS: readonly Part[] = ['service-accounts', 'pods'];

/**
 * The parts an error left unread: its own `parts`, else what its scope and code may cover. Older
 * files: an account error is the whole account except a region-list failure (`RegionListFailed`); a
 * cluster error is its Kubernetes API when the code or the cluster's status says so, else every part
 * of the cluster.
 */
export function partsOf(error: CoverageError, cluster?: Cluster): readonly Part[] {
  if (error.parts && error.parts.length > 0) return error.parts;
  if (error.scope === 'account') return error.code === 'RegionListFailed' ? ['region-list'] : ['account'];
  if (error.scope === 'region' || error.cluster === undefined) return ['cluster-list'];
  const status = cluster?.kubernetes;
  if (
    error.code.startsWith('Kubernetes') ||
    error.code === 'NotScanned' ||
    (status?.status === 'unreachable' && status.reason === error.message)
  ) {
    return KUBERNETES_PARTS;
  }
  return CLUSTER_PARTS;
}

/** Coverage while it is built: the same sets and maps, writable. */
interface CoverageDraft {
  scope: InventoryScope;
  regionFilter?: Set<string>;
  accounts: Set<string>;
  clusters: Map<string, ClusterRef>;
  accountGaps: Map<string, Map<Part, CoverageGap>>;
  regionsAsked: Map<string, Set<string>>;
  regionGaps: Map<string, CoverageGap>;
  clusterGaps: Map<string, Map<Part, CoverageGap>>;
}

/** Derives from the inventory which parts this run read and which it did not. */
export function coverageOf(inventory: Pick<Inventory, 'accounts' | 'scope' | 'regionFilter'>): Coverage {
  const coverage: CoverageDraft = {
    scope: inventory.scope ?? 'organization',
    ...(inventory.regionFilter ? { regionFilter: new Set(inventory.regionFilter) } : {}),
    accounts: new Set<string>(),
    clusters: new Map<string, ClusterRef>(),
    accountGaps: new Map(),
    regionsAsked: new Map(),
    regionGaps: new Map(),
    clusterGaps: new Map(),
  };
  for (const account of inventory.accounts) addAccount(coverage, account);
  return coverage;
}

function addAccount(coverage: CoverageDraft, account: Account): void {
  const accountId = account.accountId;
  coverage.accounts.add(accountId);
  if (account.regions) coverage.regionsAsked.set(accountId, new Set(account.regions));
  const byName = new Map<string, Cluster>();
  for (const cluster of account.clusters) {
    const key = scopeKey(accountId, cluster.region, cluster.name);
    byName.set(key, cluster);
    coverage.clusters.set(key, { accountId, region: cluster.region, name: cluster.name });
    const status = cluster.kubernetes;
    if (status.status === 'ok') continue;
    for (const part of KUBERNETES_PARTS) {
      setGap(coverage.clusterGaps, key, {
        part,
        accountId,
        region: cluster.region,
        cluster: cluster.name,
        code: status.status,
        reason: `Kubernetes API of cluster ${cluster.name} (${cluster.region}) of ${accountId} ${status.status}${status.reason ? `: ${status.reason}` : ''}`,
      });
    }
  }
  for (const error of account.errors) {
    const why = `${error.code}: ${error.message}`;
    const cluster =
      error.region !== undefined && error.cluster !== undefined
        ? byName.get(scopeKey(accountId, error.region, error.cluster))
        : undefined;
    for (const part of partsOf(error, cluster)) {
      const gap: CoverageGap = { part, accountId, code: error.code, reason: '' };
      if (ACCOUNT_PARTS.includes(part) || error.region === undefined) {
        // An error that names no region may hide clusters in any region of the account.
        gap.reason = `account ${accountId} ${why}`;
        setGap(coverage.accountGaps, accountId, gap, true);
      } else if (part === 'cluster-list' || error.cluster === undefined) {
        gap.part = 'cluster-list';
        gap.region = error.region;
        gap.reason = `region ${error.region} of ${accountId} ${why}`;
        coverage.regionGaps.set(scopeKey(accountId, error.region), gap);
      } else {
        // A cluster error about a cluster the inventory does not hold: the cluster exists (it was
        // listed), so nothing about it may read as "gone".
        const key = scopeKey(accountId, error.region, error.cluster);
        if (!coverage.clusters.has(key)) {
          coverage.clusters.set(key, { accountId, region: error.region, name: error.cluster });
        }
        gap.region = error.region;
        gap.cluster = error.cluster;
        gap.reason = `cluster ${error.cluster} (${error.region}) of ${accountId}: ${partLabel(part)} not read, ${why}`;
        setGap(coverage.clusterGaps, scopeKey(accountId, error.region, error.cluster), gap);
      }
    }
  }
}

/** Records a gap; the first account-wide reason is kept, a later cluster error replaces an earlier reason. */
function setGap(
  map: Map<string, Map<Part, CoverageGap>>,
  key: string,
  gap: CoverageGap,
  keepFirst = false,
): void {
  let parts = map.get(key);
  if (!parts) {
    parts = new Map();
    map.set(key, parts);
  }
  if (keepFirst && parts.has(gap.part)) return;
  parts.set(gap.part, gap);
}

/** What each part is, for people (`explain`, skipped checks, coverage findings). */
export const PART_LABELS: Readonly<Record<Part, string>> = Object.freeze({
  account: 'the account (member role session)',
  'iam-roles': 'IAM roles (iam:GetAccountAuthorizationDetails)',
  'oidc-providers': 'IAM OIDC providers (iam:ListOpenIDConnectProviders, GetOpenIDConnectProvider)',
  'region-list': 'the region list (account:ListRegions)',
  'cluster-list': 'the cluster list (eks:ListClusters)',
  describe: 'the cluster description (eks:DescribeCluster)',
  'pod-identity':
    'Pod Identity associations (eks:ListPodIdentityAssociations, DescribePodIdentityAssociation)',
  'service-accounts': 'Kubernetes service accounts',
  pods: 'Kubernetes pods',
});

export function partLabel(part: Part): string {
  return PART_LABELS[part];
}

/**
 * Why `part` of `accountId` was not read, or undefined when it was. An account absent from the
 * inventory was not read at all (outside this run's scope).
 */
export function accountPartGap(coverage: Coverage, accountId: string, part: Part): CoverageGap | undefined {
  if (!coverage.accounts.has(accountId)) {
    return {
      part: 'account',
      accountId,
      code: 'OutOfScope',
      reason: `account ${accountId} is not in this run's scope`,
    };
  }
  const gaps = coverage.accountGaps.get(accountId);
  if (!gaps) return undefined;
  return gaps.get('account') ?? (part === 'account' ? undefined : gaps.get(part));
}

/**
 * Why the cluster list of `region` in `accountId` was not read, or undefined when it was: the account
 * was not read, the list failed (for that region or every region), or the region list failed and
 * the region was not among those asked for instead.
 */
export function clusterListGap(
  coverage: Coverage,
  accountId: string,
  region: string,
): CoverageGap | undefined {
  const account = accountPartGap(coverage, accountId, 'cluster-list');
  if (account) return account;
  if (coverage.regionFilter && !coverage.regionFilter.has(region)) {
    return {
      part: 'cluster-list',
      accountId,
      region,
      code: 'OutOfScope',
      reason: `region ${region} is not among this run's regions`,
    };
  }
  const regionGap = coverage.regionGaps.get(scopeKey(accountId, region));
  if (regionGap) return regionGap;
  const regionList = coverage.accountGaps.get(accountId)?.get('region-list');
  if (!regionList) return undefined;
  const asked = coverage.regionsAsked.get(accountId);
  return asked?.has(region) ? undefined : regionList;
}

/** The first cluster-list gap of any region of the account (a finding that names no region). */
export function anyClusterListGap(coverage: Coverage, accountId: string): CoverageGap | undefined {
  const account = accountPartGap(coverage, accountId, 'cluster-list');
  if (account) return account;
  if (coverage.regionFilter) {
    return {
      part: 'cluster-list',
      accountId,
      code: 'OutOfScope',
      reason: "this run was limited to some regions, so other regions' clusters were not looked for",
    };
  }
  const regionList = coverage.accountGaps.get(accountId)?.get('region-list');
  if (regionList) return regionList;
  for (const gap of coverage.regionGaps.values()) if (gap.accountId === accountId) return gap;
  return undefined;
}

/**
 * Why `part` of one cluster was not read, or undefined when it was. A cluster the inventory holds was
 * listed; one it does not hold is unknown unless its region's cluster list was read (then it is gone).
 */
export function clusterPartGap(coverage: Coverage, ref: ClusterRef, part: Part): CoverageGap | undefined {
  const key = scopeKey(ref.accountId, ref.region, ref.name);
  if (!coverage.clusters.has(key)) return clusterListGap(coverage, ref.accountId, ref.region);
  const account = accountPartGap(coverage, ref.accountId, 'account');
  if (account) return account;
  if (ACCOUNT_PARTS.includes(part)) return accountPartGap(coverage, ref.accountId, part);
  return coverage.clusterGaps.get(key)?.get(part);
}

/** The first unread part of `parts` for one cluster, in the order given. */
export function firstClusterGap(
  coverage: Coverage,
  ref: ClusterRef,
  parts: readonly Part[],
): CoverageGap | undefined {
  for (const part of parts) {
    const gap = clusterPartGap(coverage, ref, part);
    if (gap) return gap;
  }
  return undefined;
}

/** A gap of `part` in any cluster of the inventory (a finding that names no cluster). */
export function anyClusterPartGap(coverage: Coverage, part: Part): CoverageGap | undefined {
  for (const gaps of coverage.clusterGaps.values()) {
    const gap = gaps.get(part);
    if (gap) return gap;
  }
  return undefined;
}

/** The account is in the inventory and `part` of it (IAM roles, OIDC providers…) was read. */
export function partRead(coverage: Coverage, accountId: string, part: Part): boolean {
  return accountPartGap(coverage, accountId, part) === undefined;
}

export type ClusterCoverage =
  | { kind: 'complete' }
  | { kind: 'missing' }
  | { kind: 'partial'; notSeen: string[] };

/**
 * Could a cluster in `region` exist unseen? `missing` when that region of `accountId` was not listed,
 * or a cluster there could not be described (its issuer is unknown); `partial` when only other
 * accounts could hide one (a gap there, or accounts outside a selected scope), naming them;
 * `complete` otherwise.
 */
export function clusterCoverage(coverage: Coverage, accountId: string, region: string): ClusterCoverage {
  if (clusterListGap(coverage, accountId, region) || describeGapIn(coverage, accountId, region)) {
    return { kind: 'missing' };
  }
  const notSeen: string[] = [];
  for (const other of coverage.accounts) {
    if (other === accountId) continue;
    const gap = clusterListGap(coverage, other, region) ?? describeGapIn(coverage, other, region);
    if (gap) notSeen.push(gap.region ? `region ${other}/${gap.region}` : `account ${other}`);
  }
  if (coverage.scope === 'selection') notSeen.push("accounts outside this run's selection");
  return notSeen.length > 0 ? { kind: 'partial', notSeen } : { kind: 'complete' };
}

function describeGapIn(coverage: Coverage, accountId: string, region: string): CoverageGap | undefined {
  for (const gaps of coverage.clusterGaps.values()) {
    const gap = gaps.get('describe');
    if (gap && gap.accountId === accountId && gap.region === region) return gap;
  }
  return undefined;
}

/** How many of each part were not read: the run record's `audited` counts and the notification's. */
export function gapCounts(coverage: Coverage): {
  accountsNotRead: number;
  regionsNotListed: number;
  clustersNotRead: number;
} {
  let accountsNotRead = 0;
  for (const gaps of coverage.accountGaps.values()) if (gaps.size > 0) accountsNotRead++;
  let clustersNotRead = 0;
  for (const gaps of coverage.clusterGaps.values()) if (gaps.size > 0) clustersNotRead++;
  return { accountsNotRead, regionsNotListed: coverage.regionGaps.size, clustersNotRead };
}

/** Every unread part of the inventory, account gaps first (run records, `explain`). */
export function allGaps(coverage: Coverage): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const parts of coverage.accountGaps.values()) gaps.push(...parts.values());
  gaps.push(...coverage.regionGaps.values());
  for (const parts of coverage.clusterGaps.values()) gaps.push(...parts.values());
  return gaps;
}
