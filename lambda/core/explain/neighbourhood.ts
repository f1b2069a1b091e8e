/**
 * The part of the organization one service account depends on, as an engine filter: its cluster, the
 * service account with its workloads and Pod Identity association, the annotated role and the
 * association's role, the roles whose trust names it, the OIDC providers for the cluster issuer (in
 * the cluster's and the annotated role's accounts), and the coverage of those accounts. Only those
 * trust policies are analysed, so `explain` costs a handful of roles, not the whole organization.
 */
import { accountOfArn, stripScheme } from '../arn';
import type { Check } from '../checks/types';
import type { ResourceFilter } from '../engine';
import type { Finding } from '../findings';
import type { Account, PodIdentityAssociation, TrustPolicy } from '../model';
import { ANNOTATION_ROLE_ARN } from '../model';
import type { ResolvedTarget } from './target';

export interface Neighbourhood {
  target: ResolvedTarget;
  /** The `eks.amazonaws.com/role-arn` value; undefined when absent or the Kubernetes API was not read. */
  annotatedRole?: string;
  association?: PodIdentityAssociation;
  /** The annotated role and the association's role: every finding on them is in the neighbourhood. */
  ownRoles: ReadonlySet<string>;
  /**
   * Roles whose trust may name the service account (a superset, by text): only their findings about
   * this service account are in the neighbourhood.
   */
  trustingRoles: ReadonlySet<string>;
  providers: ReadonlySet<string>;
  accounts: ReadonlySet<string>;
}

function mayName(trust: TrustPolicy, namespace: string, name: string): boolean {
  // A subject a trust admits by name is written out in its document (Kubernetes names need no
  // escaping, and IgnoreCase values compare in lower case), so the text is a safe pre-filter. An
  // unparsable document names nothing.
  if (trust.kind !== 'parsed') return false;
  const text = JSON.stringify(trust.document).toLowerCase();
  return text.includes(namespace.toLowerCase()) && text.includes(name.toLowerCase());
}

export interface NeighbourhoodOptions {
  /**
   * Leave `trustingRoles` empty: for callers that only filter a full scan's findings with
   * `inNeighbourhood` (which does not read it), such as the HTML report's graph.
   */
  withoutTrustingRoles?: boolean;
  /**
   * The inventory's accounts by id (the audit context's `accounts`): the providers are then looked up
   * in the one or two accounts that can hold them instead of walking every account — the graph asks
   * once per service account. `providers` is the same set.
   */
  accountsById?: ReadonlyMap<string, Account>;
}

export function neighbourhoodOf(target: ResolvedTarget, options: NeighbourhoodOptions = {}): Neighbourhood {
  const { account, cluster, namespace, serviceAccount } = target;
  const sa = cluster.serviceAccounts.find((s) => s.namespace === namespace && s.name === serviceAccount);
  const annotatedRole =
    cluster.kubernetes.status === 'ok' ? sa?.annotations[ANNOTATION_ROLE_ARN] || undefined : undefined;
  const association = cluster.podIdentityAssociations.find(
    (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
  );
  const ownRoles = new Set<string>();
  if (annotatedRole) ownRoles.add(annotatedRole);
  if (association?.roleArn) ownRoles.add(association.roleArn);
  const accounts = new Set([account.accountId]);
  for (const arn of ownRoles) {
    const roleAccount = accountOfArn(arn);
    if (roleAccount) accounts.add(roleAccount);
  }
  const trustingRoles = new Set<string>();
  const providers = new Set<string>();
  const issuer = cluster.oidcIssuer ? stripScheme(cluster.oidcIssuer) : undefined;
  const providerAccounts = new Set([account.accountId, accountOfArn(annotatedRole ?? '') ?? '']);
  // The providers for the cluster issuer, in the cluster's and the annotated role's accounts: looked up
  // when the caller has the accounts by id, else found by walking them.
  const lookup = options.accountsById;
  const holders = lookup
    ? [...providerAccounts].flatMap((accountId) => lookup.get(accountId) ?? [])
    : target.inventory.accounts.filter((other) => providerAccounts.has(other.accountId));
  for (const other of issuer ? holders : []) {
    for (const provider of other.oidcProviders) if (provider.url === issuer) providers.add(provider.arn);
  }
  if (!options.withoutTrustingRoles) {
    for (const other of target.inventory.accounts) {
      for (const role of other.roles) {
        if (!ownRoles.has(role.arn) && mayName(role.trustPolicy, namespace, serviceAccount)) {
          trustingRoles.add(role.arn);
        }
      }
    }
  }
  return { target, annotatedRole, association, ownRoles, trustingRoles, providers, accounts };
}

/**
 * Whether a finding belongs to the service account's neighbourhood. The scoped run keeps exactly these, and
 * a full scan filtered with it gives the same findings (test/explain).
 */
export function inNeighbourhood(area: Neighbourhood, finding: Finding, check: Check): boolean {
  const { account, cluster, namespace, serviceAccount } = area.target;
  const r = finding.resource;
  const sameCluster =
    r.accountId === account.accountId && r.region === cluster.region && r.cluster === cluster.name;
  const sameServiceAccount = sameCluster && r.namespace === namespace && r.serviceAccount === serviceAccount;
  switch (check.runsOn) {
    case 'serviceAccount':
    case 'workload':
    case 'association':
      return sameServiceAccount;
    case 'role':
      return (r.roleArn !== undefined && area.ownRoles.has(r.roleArn)) || sameServiceAccount;
    case 'cluster':
      return sameCluster && r.namespace === undefined;
    case 'provider':
      return r.providerArn !== undefined && area.providers.has(r.providerArn);
    case 'account':
    case 'coverage':
      return (
        area.accounts.has(r.accountId) &&
        (r.cluster === undefined ? r.region === undefined || r.region === cluster.region : sameCluster)
      );
  }
}

export function neighbourhoodFilter(area: Neighbourhood): ResourceFilter {
  const { account, cluster, namespace, serviceAccount } = area.target;
  return {
    account: (accountId) => area.accounts.has(accountId),
    provider: (arn) => area.providers.has(arn),
    role: (arn) => area.ownRoles.has(arn) || area.trustingRoles.has(arn),
    cluster: (view) => view.account === account && view.cluster === cluster,
    serviceAccount: (ns, name) => ns === namespace && name === serviceAccount,
    finding: (finding, check) => inNeighbourhood(area, finding, check),
  };
}
