/**
 * The identity graph of the HTML report (docs/output.md "html"): who can assume what, across the
 * organization. Nodes are clusters, service accounts and roles (grouped by account); edges are
 * - `annotated`: a service account's `eks.amazonaws.com/role-arn` (IRSA);
 * - `associated`: its EKS Pod Identity association;
 * - `trusts`: a role's trust policy admits the service account (or, for a `sub` that names no single
 *   service account, the whole namespace or cluster).
 * Each edge carries a verdict. For `annotated` / `associated` it is explain's verdict of the service
 * account (core/explain: the credentials its pods actually get, from the checks' findings), on the
 * edge of the mechanism in use; the other mechanism's edge is `unused`. For `trusts` it is `exposed`
 * when the trust admits more than named service accounts, else `works`. Nothing here decides what a
 * check decides.
 */

import { checkById } from '../../core/checks/index';
import { buildContext } from '../../core/context';
import { podMechanism } from '../../core/explain/mechanism';
import { inNeighbourhood, type Neighbourhood, neighbourhoodOf } from '../../core/explain/neighbourhood';
import type { ResolvedTarget } from '../../core/explain/target';
import { verdictOf } from '../../core/explain/verdict';
import type { Inventory } from '../../core/model';
import type { ScanResult } from '../../core/scan-result';

export type NodeKind = 'cluster' | 'serviceAccount' | 'role';
export type EdgeKind = 'annotated' | 'associated' | 'trusts';
export type EdgeVerdict = 'works' | 'broken' | 'exposed' | 'unknown' | 'unused';
export const EDGE_VERDICTS: readonly EdgeVerdict[] = ['works', 'broken', 'exposed', 'unknown', 'unused'];

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Longer text: the full ARN, or the cluster's account and region. */
  title: string;
  accountId: string;
  /** The cluster node a service account belongs to (a cluster: itself). */
  cluster?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  verdict: EdgeVerdict;
  /** One line: why this verdict (explain's summary, or the trust's scope). */
  why: string;
}

export interface IdentityGraph {
  clusters: GraphNode[];
  /** Per cluster id, its service accounts in the graph (those with an edge). */
  serviceAccounts: Map<string, GraphNode[]>;
  /** Per account, its roles in the graph, in ARN order. */
  roles: Map<string, GraphNode[]>;
  edges: GraphEdge[];
}

export function clusterId(accountId: string, region: string, name: string): string {
  return `cluster:${accountId}/${region}/${name}`;
}

function saId(cluster: string, namespace: string, name: string): string {
  return `sa:${cluster.slice('cluster:'.length)}/${namespace}/${name}`;
}

function roleId(arn: string): string {
  return `role:${arn}`;
}

function clusterKey(accountId: string, region: string, cluster: string): string {
  return `${accountId}\u0000${region}\u0000${cluster}`;
}

/**
 * The scan's findings by the resource a neighbourhood can hold them under (core/explain/neighbourhood.ts
 * `inNeighbourhood`, which still decides): the graph asks for one neighbourhood per configured service
 * account, and testing every finding for each was quadratic in the organization's size.
 */
interface FindingIndex {
  byServiceAccount: Map<string, number[]>;
  byCluster: Map<string, number[]>;
  byRole: Map<string, number[]>;
  byProvider: Map<string, number[]>;
  byAccount: Map<string, number[]>;
}

function indexFindings(scan: ScanResult): FindingIndex {
  const index: FindingIndex = {
    byServiceAccount: new Map(),
    byCluster: new Map(),
    byRole: new Map(),
    byProvider: new Map(),
    byAccount: new Map(),
  };
  const add = (map: Map<string, number[]>, key: string, at: number) => {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  };
  scan.findings.forEach((finding, at) => {
    const check = checkById(finding.checkId);
    if (!check) return;
    const r = finding.resource;
    const inCluster =
      r.cluster === undefined ? undefined : clusterKey(r.accountId, r.region ?? '', r.cluster);
    const serviceAccount =
      inCluster === undefined ? undefined : `${inCluster}\u0000${r.namespace}\u0000${r.serviceAccount}`;
    switch (check.runsOn) {
      case 'role':
        if (r.roleArn !== undefined) add(index.byRole, r.roleArn, at);
        if (serviceAccount !== undefined) add(index.byServiceAccount, serviceAccount, at);
        return;
      case 'serviceAccount':
      case 'workload':
      case 'association':
        if (serviceAccount !== undefined) add(index.byServiceAccount, serviceAccount, at);
        return;
      case 'cluster':
        if (inCluster !== undefined) add(index.byCluster, inCluster, at);
        return;
      case 'provider':
        if (r.providerArn !== undefined) add(index.byProvider, r.providerArn, at);
        return;
      case 'account':
      case 'coverage':
        add(index.byAccount, r.accountId, at);
        return;
    }
  });
  return index;
}

/** The findings that may be in the neighbourhood, in the scan's order. */
function candidates(index: FindingIndex, area: Neighbourhood): number[] {
  const { account, cluster, namespace, serviceAccount } = area.target;
  const inCluster = clusterKey(account.accountId, cluster.region, cluster.name);
  const found = new Set<number>();
  const take = (list: number[] | undefined) => {
    for (const at of list ?? []) found.add(at);
  };
  take(index.byServiceAccount.get(`${inCluster}\u0000${namespace}\u0000${serviceAccount}`));
  take(index.byCluster.get(inCluster));
  for (const arn of area.ownRoles) take(index.byRole.get(arn));
  for (const arn of area.providers) take(index.byProvider.get(arn));
  for (const accountId of area.accounts) take(index.byAccount.get(accountId));
  return [...found].sort((a, b) => a - b);
}

export function identityGraph(inventory: Inventory, scan: ScanResult): IdentityGraph {
  const ctx = buildContext(inventory.accounts);
  const findingIndex = indexFindings(scan);
  const skippedByCluster = new Map<string, ScanResult['skipped']>();
  for (const entry of scan.skipped) {
    if (entry.cluster === undefined) continue;
    const key = clusterKey(entry.accountId, entry.region ?? '', entry.cluster);
    const list = skippedByCluster.get(key);
    if (list) list.push(entry);
    else skippedByCluster.set(key, [entry]);
  }
  const clusters: GraphNode[] = [];
  const serviceAccounts = new Map<string, GraphNode[]>();
  const roleNodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const saNodes = new Map<string, GraphNode>();

  const role = (arn: string): string => {
    const id = roleId(arn);
    if (!roleNodes.has(id)) {
      const view = ctx.rolesByArn.get(arn);
      const accountId = view?.accountId ?? arn.split(':')[4] ?? '?';
      roleNodes.set(id, {
        id,
        kind: 'role',
        label: arn.slice(arn.lastIndexOf('/') + 1),
        title: view ? arn : `${arn} (not in the inventory)`,
        accountId,
      });
    }
    return id;
  };
  const serviceAccount = (cluster: GraphNode, namespace: string, name: string): string => {
    const id = saId(cluster.id, namespace, name);
    if (!saNodes.has(id)) {
      const node: GraphNode = {
        id,
        kind: 'serviceAccount',
        label: `${namespace}/${name}`,
        title: `${namespace}/${name} in ${cluster.label}`,
        accountId: cluster.accountId,
        cluster: cluster.id,
      };
      saNodes.set(id, node);
      serviceAccounts.get(cluster.id)!.push(node);
    }
    return id;
  };

  for (const view of ctx.clusters) {
    const { account, cluster } = view;
    const id = clusterId(account.accountId, cluster.region, cluster.name);
    const node: GraphNode = {
      id,
      kind: 'cluster',
      label: cluster.name,
      title: `${cluster.name} (${cluster.region}, account ${account.accountId})`,
      accountId: account.accountId,
      cluster: id,
    };
    clusters.push(node);
    serviceAccounts.set(id, []);
    const skipped = skippedByCluster.get(clusterKey(account.accountId, cluster.region, cluster.name)) ?? [];
    const clusterScan: ScanResult = { ...scan, skipped };

    // The service accounts with an annotation or an association: explain's verdict on their edges.
    const configured = new Map<string, { namespace: string; name: string }>();
    for (const sa of view.serviceAccounts.values()) {
      if (sa.roleArn)
        configured.set(`${sa.serviceAccount.namespace}/${sa.serviceAccount.name}`, sa.serviceAccount);
    }
    for (const association of view.associations.values()) {
      configured.set(`${association.namespace}/${association.serviceAccount}`, {
        namespace: association.namespace,
        name: association.serviceAccount,
      });
    }
    for (const { namespace, name } of configured.values()) {
      // The target as explain resolves it, built directly: the service account of an association may
      // not exist (podidentity.sa-missing), which explain's verdict covers.
      const target: ResolvedTarget = { inventory, account, cluster, namespace, serviceAccount: name };
      const area = neighbourhoodOf(target, { withoutTrustingRoles: true, accountsById: ctx.accounts });
      const mechanism = podMechanism(area);
      // Explain's findings are the scan's findings in the neighbourhood (test/explain property test),
      // looked up by the resources a neighbourhood can hold rather than by testing every finding.
      const findings = candidates(findingIndex, area)
        .map((at) => scan.findings[at])
        .filter((finding) => inNeighbourhood(area, finding, checkById(finding.checkId)!));
      const { verdict, summary } = verdictOf(area, mechanism, { ...clusterScan, findings });
      const from = serviceAccount(node, namespace, name);
      const uses = (kind: 'irsa' | 'pod-identity') =>
        mechanism.effective === kind || mechanism.effective === 'both' || mechanism.effective === 'unknown';
      const edgeVerdict = (kind: 'irsa' | 'pod-identity'): EdgeVerdict => {
        if (verdict === 'broken' && mechanism.effective === 'none') return 'broken';
        if (!uses(kind)) return 'unused';
        return verdict === 'unused' ? 'unused' : verdict;
      };
      if (area.annotatedRole) {
        edges.push({
          from,
          to: role(area.annotatedRole),
          kind: 'annotated',
          verdict: edgeVerdict('irsa'),
          why: summary,
        });
      }
      if (area.association?.roleArn) {
        edges.push({
          from,
          to: role(area.association.roleArn),
          kind: 'associated',
          verdict: edgeVerdict('pod-identity'),
          why: summary,
        });
      }
    }

    // The roles whose trust admits this cluster's service accounts.
    const grants = view.issuer ? ctx.grantsByIssuer.get(view.issuer) : undefined;
    if (!grants) continue;
    const seen = new Set<string>();
    const trust = (to: string, roleArn: string, verdict: EdgeVerdict, why: string) => {
      const key = `${roleArn}\u0000${to}`;
      if (seen.has(key)) return;
      seen.add(key);
      edges.push({ from: role(roleArn), to, kind: 'trusts', verdict, why });
    };
    for (const ref of grants.unrestricted) {
      trust(
        id,
        ref.role.role.arn,
        'exposed',
        'trusts every service account of the cluster (no `sub` condition)',
      );
    }
    for (const ref of grants.broad) {
      trust(
        id,
        ref.role.role.arn,
        'exposed',
        `trusts ${ref.grant.subjects.broad.join(', ')} across namespaces`,
      );
    }
    for (const [namespace, refs] of grants.namespaces) {
      for (const ref of refs) {
        const pattern =
          ref.grant.subjects.namespaces.find((n) => n.namespace === namespace)?.pattern ?? namespace;
        trust(id, ref.role.role.arn, 'exposed', `trusts ${pattern}`);
      }
    }
    for (const [subject, refs] of grants.exact) {
      const sa = ctx.serviceAccountBySubject(view.issuer!, subject);
      if (!sa || sa.cluster !== view) continue;
      const to = serviceAccount(node, sa.serviceAccount.namespace, sa.serviceAccount.name);
      for (const ref of refs) trust(to, ref.role.role.arn, 'works', `trusts ${subject}`);
    }
  }

  const roles = new Map<string, GraphNode[]>();
  for (const node of [...roleNodes.values()].sort((a, b) => a.title.localeCompare(b.title))) {
    const list = roles.get(node.accountId);
    if (list) list.push(node);
    else roles.set(node.accountId, [node]);
  }
  for (const list of serviceAccounts.values()) list.sort((a, b) => a.label.localeCompare(b.label));
  return { clusters, serviceAccounts, roles, edges };
}
