/**
 * Drift between the findings stored as open and the findings of this run (docs/results-table.md).
 *
 * Coverage-aware, per part: a finding that this run did not see is resolved only when every part its
 * check reads (checks/types.ts `reads`) was read in this run, in every account the finding depends on
 * — its own, its role's, its provider's and its cluster's — and its check did not fail on it. Anything
 * else keeps it open as unverified, with the first unread part as the reason. Findings of accounts
 * absent from this run's inventory are out of scope and left untouched. What the run read comes from
 * coverage.ts, the same gaps the checks and the run record see. Pure: no clock, no I/O.
 */
import { accountOfArn, eksIssuerParts, parseProviderArn } from './arn';
import {
  accountPartGap,
  anyClusterListGap,
  anyClusterPartGap,
  type ClusterRef,
  type Coverage,
  clusterListGap,
  clusterPartGap,
  scopeKey,
} from './coverage';
import type { Finding, FindingResource } from './findings';
import { ACCOUNT_PARTS, PARTS, type Part } from './model';
import type { CheckError } from './scan-result';

/** What drift needs to know of a check (from the registry: checks/index.ts `dependenciesOf`). */
export interface CheckDependencies {
  reads: readonly Part[];
  /** The cluster its findings name may be in another account than the finding (role checks). */
  clusterInAnyAccount: boolean;
}

/** For a check id drift does not know: every part, a cluster anywhere. */
const UNKNOWN_CHECK: CheckDependencies = { reads: PARTS, clusterInAnyAccount: true };

export interface DriftInput<P extends Finding = Finding> {
  /** Findings stored as open before this run. */
  previousOpen: readonly P[];
  /** Findings of this run. */
  current: readonly Finding[];
  coverage: Coverage;
  /** From the check registry (`dependenciesOf`); undefined for unknown ids, which stay conservative. */
  dependencies: (checkId: string) => CheckDependencies | undefined;
  /** Checks that failed on a resource this run (engine `checkErrors`): their findings there stay open. */
  checkErrors?: readonly CheckError[];
}

export interface RetainedFinding<P extends Finding = Finding> {
  finding: P;
  /** Why it could not be verified this run (the coverage gap). */
  reason: string;
}

export interface Drift<P extends Finding = Finding> {
  /** Open now, not open before. */
  new: Finding[];
  /** Open before, not found this run although everything it depends on was read. */
  resolved: P[];
  /**
   * Open before and still open: the current version when seen again, else the stored version
   * (kept open because something it depends on was not read; those are also listed in `unverified`).
   */
  stillOpen: Finding[];
  /** Subset of `stillOpen`: not seen this run, kept open because something it depends on was not read. */
  unverified: RetainedFinding<P>[];
  /** Open before, in accounts that this run did not audit at all: neither resolved nor reported. */
  outOfScope: P[];
}

/**
 * Why a finding could not be verified this run, or `undefined` when everything it depends on was read
 * (so its absence from this run means it is resolved). The caller has already checked that the
 * finding's account is in the inventory.
 */
export function uncollectedReason(
  finding: Finding,
  coverage: Coverage,
  dependencies: CheckDependencies | undefined,
  checkErrors: readonly CheckError[] = [],
): string | undefined {
  const { reads, clusterInAnyAccount } = dependencies ?? UNKNOWN_CHECK;
  const resource = finding.resource;
  for (const error of checkErrors) {
    if (error.checkId === finding.checkId && error.at && covers(error.at, resource)) {
      return `check ${error.checkId} failed on ${error.resource}: ${error.message}`;
    }
  }
  const accounts = dependencyAccounts(resource);
  // The cluster the finding names: where it is now, or why it cannot be known to be gone.
  let clusters: ClusterRef[] = [];
  if (resource.cluster !== undefined && resource.region !== undefined) {
    const located = locateCluster(resource, coverage, clusterInAnyAccount);
    if (typeof located === 'string') return located;
    clusters = located;
    for (const cluster of clusters) accounts.add(cluster.accountId);
  }
  for (const accountId of accounts) {
    const gap = accountPartGap(coverage, accountId, 'account');
    if (gap) return gap.reason;
  }
  for (const part of reads) {
    const gap = partGap(part, resource, accounts, clusters, coverage);
    if (gap) return gap;
  }
  return undefined;
}

/** The accounts a finding depends on from its resource alone: its own, its role's, its provider's. */
function dependencyAccounts(resource: FindingResource): Set<string> {
  const accounts = new Set<string>([resource.accountId]);
  for (const arn of [resource.roleArn, resource.providerArn]) {
    const other = arn ? accountOfArn(arn) : undefined;
    if (other) accounts.add(other);
  }
  return accounts;
}

/**
 * Where the finding's cluster is in this inventory, `[]` when it is surely gone (its region was listed
 * everywhere it could be), or why that cannot be known.
 */
function locateCluster(
  resource: FindingResource,
  coverage: Coverage,
  anyAccount: boolean,
): ClusterRef[] | string {
  const region = resource.region!;
  const name = resource.cluster!;
  const own = coverage.clusters.get(scopeKey(resource.accountId, region, name));
  if (own) return [own];
  if (!anyAccount) {
    const gap = clusterListGap(coverage, resource.accountId, region);
    return gap ? `cluster ${name} (${region}) not found and ${gap.reason}` : [];
  }
  const found: ClusterRef[] = [];
  for (const ref of coverage.clusters.values()) {
    if (ref.region === region && ref.name === name) found.push(ref);
  }
  if (found.length > 0) return found;
  // Gone, or in an account or region this run did not list.
  if (coverage.scope === 'selection') {
    return `cluster ${name} (${region}) not found, and accounts outside this run's selection may hold it`;
  }
  for (const accountId of coverage.accounts) {
    const gap = clusterListGap(coverage, accountId, region);
    if (gap) return `cluster ${name} (${region}) not found and ${gap.reason}`;
  }
  return [];
}

function partGap(
  part: Part,
  resource: FindingResource,
  accounts: ReadonlySet<string>,
  clusters: readonly ClusterRef[],
  coverage: Coverage,
): string | undefined {
  if (part === 'region-list' || part === 'cluster-list') {
    const region = resource.region ?? issuerRegionOf(resource.providerArn);
    for (const accountId of accounts) {
      const gap =
        region === undefined
          ? anyClusterListGap(coverage, accountId)
          : clusterListGap(coverage, accountId, region);
      if (gap) return gap.reason;
    }
    return undefined;
  }
  if (ACCOUNT_PARTS.includes(part)) {
    for (const accountId of accounts) {
      const gap = accountPartGap(coverage, accountId, part);
      if (gap) return gap.reason;
    }
    return undefined;
  }
  if (resource.cluster !== undefined && resource.region !== undefined) {
    // Its cluster was found (each copy must be read) or is surely gone (nothing left to read).
    for (const cluster of clusters) {
      const gap = clusterPartGap(coverage, cluster, part);
      if (gap) return gap.reason;
    }
    return undefined;
  }
  // A finding that names no cluster may depend on any cluster's part (e.g. the audiences of every
  // service account annotated with a role).
  return anyClusterPartGap(coverage, part)?.reason;
}

/** The region of an EKS issuer named by a provider ARN (provider.orphaned names no region). */
function issuerRegionOf(providerArn: string | undefined): string | undefined {
  if (!providerArn) return undefined;
  const parsed = parseProviderArn(providerArn);
  return parsed ? eksIssuerParts(parsed.issuer)?.region : undefined;
}

/** Whether a check error's location contains the finding's resource (every field it sets matches). */
function covers(at: FindingResource, resource: FindingResource): boolean {
  for (const key of Object.keys(at) as (keyof FindingResource)[]) {
    if (at[key] !== undefined && at[key] !== resource[key]) return false;
  }
  return true;
}

/**
 * New / resolved / still open. Idempotent: with the same findings and inventory twice, the second
 * comparison (against what the first one stored) is empty.
 */
export function computeDrift<P extends Finding>(input: DriftInput<P>): Drift<P> {
  const previous = new Map<string, P>();
  for (const finding of input.previousOpen) previous.set(finding.fingerprint, finding);
  const currentByFingerprint = new Map<string, Finding>();
  for (const finding of input.current) {
    if (!currentByFingerprint.has(finding.fingerprint))
      currentByFingerprint.set(finding.fingerprint, finding);
  }
  // By check and account: a check that failed on many resources is looked up, not scanned, per finding.
  const checkErrors = new Map<string, CheckError[]>();
  for (const error of input.checkErrors ?? []) {
    if (!error.at) continue;
    const key = `${error.checkId}\u0000${error.at.accountId}`;
    const list = checkErrors.get(key);
    if (list) list.push(error);
    else checkErrors.set(key, [error]);
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
    const reason = uncollectedReason(
      finding,
      input.coverage,
      input.dependencies(finding.checkId),
      checkErrors.get(`${finding.checkId}\u0000${finding.resource.accountId}`),
    );
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
