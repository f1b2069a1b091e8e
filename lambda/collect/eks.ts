import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
  type PodIdentityAssociationSummary,
} from '@aws-sdk/client-eks';
import { associationFromEks, clusterFromDescribe } from '../core/inventory/api-objects';
import type { Cluster, CoverageError, PodIdentityAssociation } from '../core/model';
import { classifyAwsError } from './aws-errors';
import { type ClusterEndpoint, endpointFromDescribe } from './cluster-endpoint';
import { forEachPage } from './paginate';
import type { AccountSession } from './run-context';

/** EKS list calls' largest page. */
const EKS_PAGE = 100;

export interface DescribedCluster {
  cluster: Cluster;
  /** How to reach its Kubernetes API; absent when it has no endpoint yet (or DescribeCluster failed). */
  endpoint?: ClusterEndpoint;
}

/** Names of the region's clusters. A failure is the caller's to record (a region-scope error). */
export async function listClusterNames(session: AccountSession, region: string): Promise<string[]> {
  const names: string[] = [];
  await forEachPage(
    'eks:ListClusters',
    (nextToken) =>
      session.call('eks:ListClusters', () =>
        session.client('eks', region).send(new ListClustersCommand({ maxResults: EKS_PAGE, nextToken })),
      ),
    (page) => page.nextToken,
    (page) => names.push(...(page.clusters ?? [])),
  );
  return names;
}

/**
 * DescribeCluster (issuer verbatim, endpoint, CA, authentication mode). A cluster deleted since the
 * list is skipped; one that cannot be described is kept by name, with a cluster-scope error.
 */
export async function describeCluster(
  session: AccountSession,
  region: string,
  name: string,
  errors: CoverageError[],
): Promise<DescribedCluster | undefined> {
  try {
    const described = await session.call('eks:DescribeCluster', () =>
      session.client('eks', region).send(new DescribeClusterCommand({ name })),
    );
    if (!described.cluster) throw new Error('DescribeCluster returned no cluster');
    const describedCluster = { ...described.cluster, name: described.cluster.name ?? name };
    const cluster = clusterFromDescribe(describedCluster, region);
    const reach = endpointFromDescribe(describedCluster, session.accountId, region);
    if ('endpoint' in reach) return { cluster, endpoint: reach.endpoint };
    cluster.kubernetes = { status: 'not-collected', reason: reach.notReadableReason };
    return { cluster };
  } catch (error) {
    const failure = classifyAwsError(error);
    if (failure.kind === 'not-found') return undefined;
    const undescribed = describeFailure(region, name, failure);
    errors.push(undescribed.error);
    return { cluster: undescribed.cluster };
  }
}

/**
 * A cluster DescribeCluster failed for, as the inventory keeps it: by name, nothing else known, and
 * an error naming every cluster part (without the issuer and endpoint, neither its Pod Identity
 * associations nor its Kubernetes API are read).
 */
export function describeFailure(
  region: string,
  name: string,
  failure: { code: string; message: string },
): { cluster: Cluster; error: CoverageError } {
  const message = `eks:DescribeCluster failed: ${failure.message}`;
  return {
    cluster: {
      name,
      region,
      podIdentityAssociations: [],
      kubernetes: { status: 'not-collected', reason: message },
      serviceAccounts: [],
      pods: [],
    },
    error: {
      scope: 'cluster',
      region,
      cluster: name,
      parts: ['describe', 'pod-identity', 'service-accounts', 'pods'],
      code: failure.code,
      message,
    },
  };
}

/**
 * The cluster's Pod Identity associations: the list (100 per page) has namespace and service
 * account; each association's role ARNs need one describe call. A describe that fails keeps the
 * association without roles, and the cluster gets a coverage error.
 */
export async function collectPodIdentityAssociations(
  session: AccountSession,
  region: string,
  clusterName: string,
  errors: CoverageError[],
  /** Only one service account's associations (the API filters server-side). */
  only?: { namespace: string; serviceAccount: string },
): Promise<PodIdentityAssociation[]> {
  const summaries: PodIdentityAssociationSummary[] = [];
  try {
    await forEachPage(
      'eks:ListPodIdentityAssociations',
      (nextToken) =>
        session.call('eks:ListPodIdentityAssociations', () =>
          session.client('eks', region).send(
            new ListPodIdentityAssociationsCommand({
              clusterName,
              maxResults: EKS_PAGE,
              nextToken,
              ...only,
            }),
          ),
        ),
      (page) => page.nextToken,
      (page) => summaries.push(...(page.associations ?? [])),
    );
  } catch (error) {
    const failure = classifyAwsError(error);
    errors.push({
      scope: 'cluster',
      region,
      cluster: clusterName,
      parts: ['pod-identity'],
      code: failure.code,
      message: `Pod Identity associations could not be listed (eks:ListPodIdentityAssociations): ${failure.message}`,
    });
    return [];
  }
  let failed = 0;
  let firstFailure: ReturnType<typeof classifyAwsError> | undefined;
  const associations = await Promise.all(
    summaries.map(async (summary) => {
      if (!summary.associationId) return associationFromEks(summary);
      try {
        const described = await session.call('eks:DescribePodIdentityAssociation', () =>
          session.client('eks', region).send(
            new DescribePodIdentityAssociationCommand({
              clusterName,
              associationId: summary.associationId,
            }),
          ),
        );
        // The list call gives namespace and service account; only the describe call has the role ARNs.
        return associationFromEks(described.association ? { ...summary, ...described.association } : summary);
      } catch (error) {
        const failure = classifyAwsError(error);
        if (failure.kind === 'not-found') return undefined; // deleted since the list
        failed++;
        firstFailure ??= failure;
        return associationFromEks(summary);
      }
    }),
  );
  if (firstFailure) {
    errors.push({
      scope: 'cluster',
      region,
      cluster: clusterName,
      parts: ['pod-identity'],
      code: firstFailure.code,
      message:
        `${failed} Pod Identity association(s) could not be described (eks:DescribePodIdentityAssociation), ` +
        `their role ARNs are unknown: ${firstFailure.message}`,
    });
  }
  return associations.filter(
    (association): association is PodIdentityAssociation => association !== undefined,
  );
}
