/**
 * Finding the service account `explain` was asked about. A target that does not exist is an input
 * error that lists what does exist there (clusters, namespaces of the cluster, or service accounts
 * of the namespace), never a "broken" verdict.
 */
import { AuditorError } from '../errors';
import type { Account, Cluster, Inventory } from '../model';

export interface ExplainTarget {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  /** Disambiguates clusters with the same name in several accounts or regions. */
  accountId?: string;
  region?: string;
}

export class ExplainTargetError extends AuditorError {
  declare readonly code: 'ExplainTargetNotFound';
  /** What exists where the target was looked for. */
  readonly existing: string[];

  constructor(message: string, existing: string[]) {
    super('ExplainTargetNotFound', message);
    this.name = 'ExplainTargetError';
    this.existing = existing;
  }
}

export interface ExplainOptions {
  /**
   * The inventory holds only the target service account and its pods (`explain --live` reads no
   * more), so a missing one cannot be compared with the others of its namespace.
   */
  onlyTargetRead?: boolean;
}

export interface ResolvedTarget {
  inventory: Inventory;
  account: Account;
  cluster: Cluster;
  namespace: string;
  serviceAccount: string;
}

const LISTED = 50;

function listing(names: string[]): string {
  const sorted = [...new Set(names)].sort();
  if (sorted.length === 0) return 'none';
  const shown = sorted.slice(0, LISTED).join(', ');
  return sorted.length > LISTED ? `${shown} and ${sorted.length - LISTED} more` : shown;
}

/**
 * The target's account and cluster. For a cluster whose Kubernetes API was not read the service
 * account cannot be confirmed, so it is accepted (and explained as unknown).
 */
export function resolveTarget(
  inventory: Inventory,
  target: ExplainTarget,
  options: ExplainOptions = {},
): ResolvedTarget {
  const matches = inventory.accounts.flatMap((account) =>
    account.clusters
      .filter(
        (cluster) =>
          cluster.name === target.cluster &&
          (!target.accountId || account.accountId === target.accountId) &&
          (!target.region || cluster.region === target.region),
      )
      .map((cluster) => ({ account, cluster })),
  );
  if (matches.length === 0) {
    const known = inventory.accounts.flatMap((account) =>
      account.clusters.map((cluster) => `${cluster.name} (${account.accountId}, ${cluster.region})`),
    );
    throw new ExplainTargetError(
      `cluster "${target.cluster}" is not in the inventory; clusters: ${listing(known)}`,
      known,
    );
  }
  if (matches.length > 1) {
    const where = matches.map((m) => `${m.account.accountId}/${m.cluster.region}`);
    throw new ExplainTargetError(
      `cluster "${target.cluster}" exists in several accounts/regions (${where.join(', ')}); pass --account or --region`,
      where,
    );
  }
  const { account, cluster } = matches[0];
  const resolved = {
    inventory,
    account,
    cluster,
    namespace: target.namespace,
    serviceAccount: target.serviceAccount,
  };
  if (cluster.kubernetes.status !== 'ok') return resolved;
  if (
    cluster.serviceAccounts.some(
      (sa) => sa.namespace === target.namespace && sa.name === target.serviceAccount,
    )
  ) {
    return resolved;
  }
  const where = `cluster ${cluster.name} (${account.accountId}, ${cluster.region})`;
  if (options.onlyTargetRead) {
    throw new ExplainTargetError(
      `service account ${target.namespace}/${target.serviceAccount} does not exist in ${where} (only that service account was read; list them with: kubectl get serviceaccounts -n ${target.namespace})`,
      [],
    );
  }
  const association = cluster.podIdentityAssociations.some(
    (a) => a.namespace === target.namespace && a.serviceAccount === target.serviceAccount,
  )
    ? ' (a Pod Identity association names it: podidentity.sa-missing)'
    : '';
  const inNamespace = cluster.serviceAccounts
    .filter((sa) => sa.namespace === target.namespace)
    .map((sa) => sa.name);
  const namespaceExists =
    inNamespace.length > 0 || cluster.pods.some((pod) => pod.namespace === target.namespace);
  if (namespaceExists) {
    throw new ExplainTargetError(
      `service account ${target.namespace}/${target.serviceAccount} does not exist in ${where}${association}; service accounts of namespace ${target.namespace}: ${listing(inNamespace)}`,
      inNamespace,
    );
  }
  const namespaces = [
    ...cluster.serviceAccounts.map((sa) => sa.namespace),
    ...cluster.pods.map((pod) => pod.namespace),
  ];
  throw new ExplainTargetError(
    `namespace ${target.namespace} does not exist in ${where}${association}; namespaces: ${listing(namespaces)}`,
    [...new Set(namespaces)].sort(),
  );
}
