/**
 * The audit context: one pass over the inventory builds every index the checks need (roles by ARN,
 * providers by account and issuer, clusters by issuer, service accounts by subject, trust grants by
 * issuer and subject). Checks then do lookups only; nothing loops roles × service accounts.
 */
import {
  accountOfArn,
  parseRoleArn,
  partitionOfArn,
  partitionOfRegion,
  type RoleArnParts,
  stripScheme,
} from './arn';
import {
  type ClusterCoverage,
  type Coverage,
  type CoverageGap,
  clusterCoverage,
  coverageOf,
  firstClusterGap,
  partRead,
} from './coverage';
import type {
  Account,
  Cluster,
  InventoryScope,
  OidcProvider,
  Part,
  Pod,
  PodIdentityAssociation,
  Role,
  ServiceAccount,
} from './model';
import { ANNOTATION_ROLE_ARN } from './model';
import {
  type NormalizeCache,
  newNormalizeCache,
  normalizePolicy,
  normalizeTrustPolicy,
} from './policy/normalize';
import {
  analyzeTrust,
  type IrsaGrant,
  newTrustCache,
  parseSubject,
  serviceAccountSubject,
  type TrustAnalysis,
  type TrustCache,
} from './policy/trust';

export interface ClusterView {
  account: Account;
  cluster: Cluster;
  /** Issuer without scheme; undefined when the cluster has none. */
  issuer?: string;
  /** `issuer` lower-cased, once per cluster (WebIdentityToken.issuerLower). */
  issuerLower?: string;
  partition: string;
  /** Its service accounts and pods were read: SA and pod checks may run. */
  readable: boolean;
  /** The first unread part among `describe`, `pod-identity`, `service-accounts`, `pods`, by part. */
  gaps: ReadonlyMap<Part, CoverageGap>;
  serviceAccounts: Map<string, ServiceAccountView>;
  namespaces: Set<string>;
  associations: Map<string, PodIdentityAssociation>;
}

export interface RoleView {
  account: Account;
  role: Role;
  accountId: string;
  partition: string;
  trust: TrustAnalysis;
}

export interface ServiceAccountView {
  cluster: ClusterView;
  serviceAccount: ServiceAccount;
  subject: string;
  /** The `eks.amazonaws.com/role-arn` annotation value, when present. */
  roleArn?: string;
  association?: PodIdentityAssociation;
}

export interface WorkloadView {
  cluster: ClusterView;
  namespace: string;
  /** `Kind/name` of the owner, or `Pod/<name>` for a bare pod. */
  workload: string;
  serviceAccountName: string;
  serviceAccount?: ServiceAccountView;
  pods: Pod[];
}

export interface GrantRef {
  role: RoleView;
  grant: IrsaGrant;
}

export interface IssuerGrants {
  exact: Map<string, GrantRef[]>;
  namespaces: Map<string, GrantRef[]>;
  broad: GrantRef[];
  unrestricted: GrantRef[];
}

/** Names sorted forwards and by reversed text, for "did you mean" neighbours (checks/helpers closeCandidates). */
/** Scratch rows for `editDistance`, reused across calls to spare two allocations per comparison. */
export interface EditRows {
  previous: Int32Array;
  current: Int32Array;
}

export interface SortedNames {
  forward: readonly string[];
  backward: readonly string[];
}

/**
 * The run's memo tables. They live here, one set per audit context, so the core keeps no state
 * between runs (a test forbids module-level caches in lambda/core): a later run can never see a stale
 * entry, and a long-lived process does not grow them.
 */
export interface RunCache {
  policy: NormalizeCache;
  trust: TrustCache;
  /** By a key naming the list (`roles:<account>`, `subjects:<cluster>`). */
  sortedNames: Map<string, SortedNames>;
  /** Two rows lent to `editDistance` by checks that call it per annotation or condition key. */
  editRows: EditRows;
}

function newRunCache(): RunCache {
  return {
    policy: newNormalizeCache(),
    trust: newTrustCache(),
    sortedNames: new Map(),
    editRows: { previous: new Int32Array(256), current: new Int32Array(256) },
  };
}

export interface AuditContext {
  /** Per-run memo tables (see RunCache). */
  cache: RunCache;
  accounts: Map<string, Account>;
  roles: RoleView[];
  rolesByArn: Map<string, RoleView>;
  clusters: ClusterView[];
  clustersByIssuer: Map<string, ClusterView[]>;
  /** accountId → provider URL (issuer without scheme) → provider. */
  providersByAccount: Map<string, Map<string, OidcProvider>>;
  grantsByIssuer: Map<string, IssuerGrants>;
  /** Role ARN (as annotated) → readable service accounts annotated with it. */
  serviceAccountsByRole: Map<string, ServiceAccountView[]>;
  /** What the run read (coverage.ts), derived once per context. */
  coverage: Coverage;
  /** The account is in the inventory and `part` of it was read (coverage.ts `partRead`). */
  partRead(accountId: string, part: Part): boolean;
  /** Whether a cluster in `region` could exist unseen (coverage.ts `clusterCoverage`). */
  clusterCoverage(accountId: string, region: string): ClusterCoverage;
  serviceAccountBySubject(issuer: string, subject: string): ServiceAccountView | undefined;
  workloads(cluster: ClusterView): WorkloadView[];
  /** The service account's annotated role ARN, parsed (undefined when absent or not a role ARN). */
  roleArnParts(serviceAccount: ServiceAccountView): RoleArnParts | undefined;
  /** The workloads whose pods run as `serviceAccount` (built per cluster on first use). */
  workloadsOf(serviceAccount: ServiceAccountView): readonly WorkloadView[];
}

function accountPartition(account: Account): string {
  if (account.partition) return account.partition;
  const arn = account.roles[0]?.arn ?? account.oidcProviders[0]?.arn ?? account.clusters[0]?.arn;
  if (arn) return partitionOfArn(arn) ?? 'aws';
  const region = account.clusters[0]?.region;
  return region ? partitionOfRegion(region) : 'aws';
}

function nsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const CLUSTER_VIEW_PARTS: readonly Part[] = ['describe', 'pod-identity', 'service-accounts', 'pods'];

function buildClusterView(
  account: Account,
  cluster: Cluster,
  partition: string,
  coverage: Coverage,
): ClusterView {
  const ref = { accountId: account.accountId, region: cluster.region, name: cluster.name };
  const gaps = new Map<Part, CoverageGap>();
  for (const part of CLUSTER_VIEW_PARTS) {
    const gap = firstClusterGap(coverage, ref, [part]);
    if (gap) gaps.set(part, gap);
  }
  const view: ClusterView = {
    account,
    cluster,
    issuer: cluster.oidcIssuer ? stripScheme(cluster.oidcIssuer) : undefined,
    issuerLower: cluster.oidcIssuer ? stripScheme(cluster.oidcIssuer).toLowerCase() : undefined,
    partition: cluster.arn ? (partitionOfArn(cluster.arn) ?? partition) : partitionOfRegion(cluster.region),
    readable: cluster.kubernetes.status === 'ok' && !gaps.has('service-accounts') && !gaps.has('pods'),
    gaps,
    serviceAccounts: new Map(),
    namespaces: new Set(),
    associations: new Map(),
  };
  for (const association of cluster.podIdentityAssociations) {
    view.associations.set(nsKey(association.namespace, association.serviceAccount), association);
  }
  if (!view.readable) return view;
  for (const serviceAccount of cluster.serviceAccounts) {
    const key = nsKey(serviceAccount.namespace, serviceAccount.name);
    view.namespaces.add(serviceAccount.namespace);
    view.serviceAccounts.set(key, {
      cluster: view,
      serviceAccount,
      subject: serviceAccountSubject(serviceAccount.namespace, serviceAccount.name),
      roleArn: serviceAccount.annotations[ANNOTATION_ROLE_ARN],
      association: view.associations.get(key),
    });
  }
  for (const pod of cluster.pods) view.namespaces.add(pod.namespace);
  return view;
}

function addGrant(index: Map<string, IssuerGrants>, ref: GrantRef): void {
  let grants = index.get(ref.grant.issuer);
  if (!grants) {
    grants = { exact: new Map(), namespaces: new Map(), broad: [], unrestricted: [] };
    index.set(ref.grant.issuer, grants);
  }
  const scope = ref.grant.subjects;
  for (const subject of scope.exact) {
    const list = grants.exact.get(subject);
    if (list) list.push(ref);
    else grants.exact.set(subject, [ref]);
  }
  for (const ns of scope.namespaces) {
    const list = grants.namespaces.get(ns.namespace);
    if (list) list.push(ref);
    else grants.namespaces.set(ns.namespace, [ref]);
  }
  if (scope.broad.length > 0) grants.broad.push(ref);
  if (scope.kind === 'unrestricted') grants.unrestricted.push(ref);
}

/**
 * Trust analysis is shared by roles with the same policy document: generators emit many identical
 * documents, and the parser hands identical policy strings out as one parsed object.
 */
function analysisCache(cache: RunCache) {
  // Plain Maps (the cache lives only while the context is built). A document object is almost always
  // analysed for one partition and account: one small entry, a Map only when it is shared across scopes.
  type Entry = { partition: string; accountId: string; analysis: TrustAnalysis };
  const byObject = new Map<object, Entry | Map<string, TrustAnalysis>>();
  return (role: Role, partition: string, accountId: string): TrustAnalysis => {
    const trust = role.trustPolicy;
    // An unparsable policy has no statements: nothing worth sharing.
    if (trust.kind !== 'parsed') {
      return analyzeTrust(normalizeTrustPolicy(trust, cache.policy), partition, accountId, cache.trust);
    }
    const document = trust.document;
    const entry = byObject.get(document);
    if (entry && !(entry instanceof Map) && entry.partition === partition && entry.accountId === accountId) {
      return entry.analysis;
    }
    const scope = `${partition}\u0000${accountId}`;
    const hit = entry instanceof Map ? entry.get(scope) : undefined;
    if (hit) return hit;
    const analysis = analyzeTrust(normalizePolicy(document, cache.policy), partition, accountId, cache.trust);
    if (!entry) byObject.set(document, { partition, accountId, analysis });
    else if (entry instanceof Map) entry.set(scope, analysis);
    else {
      const scopes = new Map<string, TrustAnalysis>([
        [`${entry.partition}\u0000${entry.accountId}`, entry.analysis],
      ]);
      byObject.set(document, scopes.set(scope, analysis));
    }
    return analysis;
  };
}

export interface ContextOptions {
  /**
   * Analyse only the roles this accepts (a scoped run, `explain`): the others are left out of
   * `roles`, `rolesByArn` and the trust grants, so checks run on a scoped context may only ask about
   * the roles of that scope.
   */
  role?: (arn: string) => boolean;
  /** The inventory's scope (model.ts `InventoryScope`); absent: `organization`. */
  scope?: InventoryScope;
  /** The inventory's region filter (model.ts `Inventory.regionFilter`). */
  regionFilter?: string[];
}

export function buildContext(accounts: Account[], options: ContextOptions = {}): AuditContext {
  const accountMap = new Map<string, Account>();
  const roles: RoleView[] = [];
  const rolesByArn = new Map<string, RoleView>();
  const clusters: ClusterView[] = [];
  const clustersByIssuer = new Map<string, ClusterView[]>();
  const providersByAccount = new Map<string, Map<string, OidcProvider>>();
  const grantsByIssuer = new Map<string, IssuerGrants>();
  const serviceAccountsByRole = new Map<string, ServiceAccountView[]>();
  const coverage = coverageOf({ accounts, scope: options.scope, regionFilter: options.regionFilter });
  const cache = newRunCache();
  const analyze = analysisCache(cache);

  for (const account of accounts) {
    accountMap.set(account.accountId, account);
    const partition = accountPartition(account);
    const providers = new Map<string, OidcProvider>();
    for (const provider of account.oidcProviders) providers.set(provider.url, provider);
    providersByAccount.set(account.accountId, providers);
    for (const role of account.roles) {
      if (options.role && !options.role(role.arn)) continue;
      // The account's own strings when the ARN agrees (it nearly always does): one copy per account,
      // not one substring per role (docs/architecture.md "Memory").
      const arnAccountId = accountOfArn(role.arn);
      const roleAccountId =
        arnAccountId === undefined || arnAccountId === account.accountId ? account.accountId : arnAccountId;
      const arnPartition = partitionOfArn(role.arn);
      const rolePartition =
        arnPartition === undefined || arnPartition === partition ? partition : arnPartition;
      const view: RoleView = {
        account,
        role,
        accountId: roleAccountId,
        partition: rolePartition,
        trust: analyze(role, rolePartition, roleAccountId),
      };
      roles.push(view);
      rolesByArn.set(role.arn, view);
      for (const grant of view.trust.grants) addGrant(grantsByIssuer, { role: view, grant });
    }
    for (const cluster of account.clusters) {
      const view = buildClusterView(account, cluster, partition, coverage);
      clusters.push(view);
      for (const serviceAccount of view.serviceAccounts.values()) {
        if (!serviceAccount.roleArn) continue;
        const list = serviceAccountsByRole.get(serviceAccount.roleArn);
        if (list) list.push(serviceAccount);
        else serviceAccountsByRole.set(serviceAccount.roleArn, [serviceAccount]);
      }
      if (view.issuer) {
        const list = clustersByIssuer.get(view.issuer);
        if (list) list.push(view);
        else clustersByIssuer.set(view.issuer, [view]);
      }
    }
  }

  // The role checks look the same subject up one after another (trust.target-not-annotated, then
  // trust.sub-target-missing): the last one is remembered, for this run only.
  let lastSubject: string | undefined;
  let lastSubjectKey: string | undefined;
  // Likewise the service-account checks read one annotation's parts one after another.
  let lastRoleArn: string | undefined;
  let lastRoleArnParts: RoleArnParts | undefined;
  const workloadCache = new Map<ClusterView, WorkloadView[]>();
  const workloadsBySa = new Map<ClusterView, Map<ServiceAccountView, WorkloadView[]>>();
  const workloads = (cluster: ClusterView): WorkloadView[] => {
    let cached = workloadCache.get(cluster);
    if (!cached) {
      cached = groupWorkloads(cluster);
      workloadCache.set(cluster, cached);
    }
    return cached;
  };
  return {
    cache,
    accounts: accountMap,
    roles,
    rolesByArn,
    clusters,
    clustersByIssuer,
    providersByAccount,
    grantsByIssuer,
    serviceAccountsByRole,
    coverage,
    partRead: (accountId, part) => partRead(coverage, accountId, part),
    clusterCoverage: (accountId, region) => clusterCoverage(coverage, accountId, region),
    serviceAccountBySubject(issuer, subject) {
      const clusters = clustersByIssuer.get(issuer);
      if (!clusters) return undefined;
      if (subject !== lastSubject) {
        const parsed = parseSubject(subject);
        lastSubject = subject;
        lastSubjectKey = parsed && nsKey(parsed.namespace, parsed.name);
      }
      if (lastSubjectKey === undefined) return undefined;
      for (const cluster of clusters) {
        const found = cluster.serviceAccounts.get(lastSubjectKey);
        if (found) return found;
      }
      return undefined;
    },
    workloads,
    roleArnParts(serviceAccount) {
      const roleArn = serviceAccount.roleArn;
      if (roleArn === undefined) return undefined;
      if (roleArn !== lastRoleArn) {
        lastRoleArn = roleArn;
        lastRoleArnParts = parseRoleArn(roleArn);
      }
      return lastRoleArnParts;
    },
    workloadsOf(serviceAccount) {
      let bySa = workloadsBySa.get(serviceAccount.cluster);
      if (!bySa) {
        bySa = new Map();
        for (const workload of workloads(serviceAccount.cluster)) {
          if (!workload.serviceAccount) continue;
          const list = bySa.get(workload.serviceAccount);
          if (list) list.push(workload);
          else bySa.set(workload.serviceAccount, [workload]);
        }
        workloadsBySa.set(serviceAccount.cluster, bySa);
      }
      return bySa.get(serviceAccount) ?? [];
    },
  };
}

/** True when two pods certainly have the same workload key (pods of a workload are listed together). */
function sameWorkload(a: Pod, b: Pod): boolean {
  if (a.namespace !== b.namespace || a.serviceAccountName !== b.serviceAccountName) return false;
  if (a.owner && b.owner) return a.owner.kind === b.owner.kind && a.owner.name === b.owner.name;
  return !a.owner && !b.owner && a.name === b.name;
}

function groupWorkloads(cluster: ClusterView): WorkloadView[] {
  const groups = new Map<string, WorkloadView>();
  let previous: Pod | undefined;
  let previousGroup: WorkloadView | undefined;
  for (const pod of cluster.cluster.pods) {
    if (previous && previousGroup && sameWorkload(previous, pod)) {
      previousGroup.pods.push(pod);
      previous = pod;
      continue;
    }
    const workload = pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : `Pod/${pod.name}`;
    const key = `${pod.namespace}\u0000${workload}\u0000${pod.serviceAccountName}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        cluster,
        namespace: pod.namespace,
        workload,
        serviceAccountName: pod.serviceAccountName,
        serviceAccount: cluster.serviceAccounts.get(nsKey(pod.namespace, pod.serviceAccountName)),
        pods: [],
      };
      groups.set(key, group);
    }
    group.pods.push(pod);
    previous = pod;
    previousGroup = group;
  }
  return [...groups.values()];
}

export { nsKey };
