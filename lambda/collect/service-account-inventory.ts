import { accountOfArn } from '../core/arn';
import {
  type Account,
  ANNOTATION_ROLE_ARN,
  type CoverageError,
  INVENTORY_SCHEMA_VERSION,
  type Inventory,
} from '../core/model';
import { emptyAccount } from './account-collector';
import { classifyAwsError } from './aws-errors';
import { readClusterKubernetes } from './cluster-kubernetes';
import { AssumeRoleError } from './credentials';
import { collectPodIdentityAssociations, describeCluster } from './eks';
import { CollectError } from './errors';
import { collectProviders, collectRoles } from './iam';
import { type CollectOptions, type CollectOptionsInput, resolveCollectOptions } from './options';
import { AccountSession, type CollectDeps, createRunContext, type RunContext } from './run-context';

/** The one service account `explain --live` walks through. */
export interface ServiceAccountTarget {
  /** Account and region of the cluster. */
  accountId: string;
  region: string;
  cluster: string;
  namespace: string;
  serviceAccount: string;
}

/**
 * The smallest inventory that explains one service account (`explain --live`, docs/collection.md):
 * - the cluster's account: that cluster only (DescribeCluster, no ListClusters), its Pod Identity
 *   associations for this service account (filtered server-side), the service account and its pods
 *   (namespace-scoped, field-selected Kubernetes lists), and the account's OIDC providers;
 * - every account whose role the service account or its associations name: roles and OIDC providers
 *   (STS resolves the provider in the role's account).
 * Failures are coverage errors as everywhere else; a cluster that does not exist is an error.
 */
export async function collectServiceAccountInventory(
  target: ServiceAccountTarget,
  input: CollectOptionsInput | CollectOptions,
  deps: CollectDeps = {},
): Promise<Inventory> {
  const options = resolveCollectOptions({ ...input, regions: [target.region] }, process.env);
  const run = await createRunContext(options, deps);
  try {
    const home = await clusterAccount(run, target);
    const roleAccounts = new Set<string>();
    for (const cluster of home.clusters) {
      for (const serviceAccount of cluster.serviceAccounts) {
        const roleArn = serviceAccount.annotations[ANNOTATION_ROLE_ARN];
        const account = roleArn ? accountOfArn(roleArn.trim()) : undefined;
        if (account) roleAccounts.add(account);
      }
      for (const association of cluster.podIdentityAssociations) {
        for (const arn of [association.roleArn, association.targetRoleArn]) {
          const account = arn ? accountOfArn(arn) : undefined;
          if (account) roleAccounts.add(account);
        }
      }
    }
    const accounts = [home];
    let sequence = 1;
    for (const accountId of roleAccounts) {
      if (accountId === home.accountId) await addRoles(new AccountSession(run, accountId), home);
      else accounts.push(await iamAccount(run, accountId, sequence++));
    }
    return {
      schemaVersion: INVENTORY_SCHEMA_VERSION,
      generatedAt: new Date(run.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      // One cluster and the accounts of its roles: a selection, never the whole organization.
      scope: 'selection',
      accounts,
    };
  } finally {
    run.close();
  }
}

async function clusterAccount(run: RunContext, target: ServiceAccountTarget): Promise<Account> {
  const account = emptyAccount(run, { accountId: target.accountId });
  const session = new AccountSession(run, target.accountId);
  if (!(await assumable(run, account))) return account;
  const errors: CoverageError[] = [];
  const [described, providers] = await Promise.all([
    describeCluster(session, target.region, target.cluster, errors),
    collectProviders(session),
  ]);
  if (!described) {
    throw new CollectError(
      'ClusterNotFound',
      `No EKS cluster "${target.cluster}" in account ${target.accountId}, region ${target.region}.`,
    );
  }
  const only = { namespace: target.namespace, serviceAccount: target.serviceAccount };
  const [associations] = await Promise.all([
    collectPodIdentityAssociations(session, target.region, target.cluster, errors, only),
    readClusterKubernetes(session, described, errors, only),
  ]);
  described.cluster.podIdentityAssociations = associations;
  account.clusters = [described.cluster];
  account.oidcProviders = providers.providers;
  account.errors.push(...providers.errors, ...errors);
  return account;
}

async function iamAccount(run: RunContext, accountId: string, sequence: number): Promise<Account> {
  const account = emptyAccount(run, { accountId });
  if (!(await assumable(run, account))) return account;
  const session = new AccountSession(run, accountId, sequence);
  const [, providers] = await Promise.all([addRoles(session, account), collectProviders(session)]);
  account.oidcProviders = providers.providers;
  account.errors.push(...providers.errors);
  return account;
}

async function addRoles(session: AccountSession, account: Account): Promise<void> {
  const roles = await collectRoles(session);
  account.roles = roles.roles;
  account.errors.push(...roles.errors);
}

async function assumable(run: RunContext, account: Account): Promise<boolean> {
  try {
    await run.credentials.get(account.accountId);
    return true;
  } catch (error) {
    const failure =
      error instanceof AssumeRoleError
        ? { code: error.code, message: error.message }
        : classifyAwsError(error);
    account.errors.push({
      scope: 'account',
      parts: ['account'],
      code: failure.code,
      message: failure.message,
    });
    return false;
  }
}
