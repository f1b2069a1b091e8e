import type {
  PodIdentityAssociation as EksAssociation,
  Cluster as EksCluster,
  PodIdentityAssociationSummary,
} from '@aws-sdk/client-eks';
import type { Cluster, PodIdentityAssociation } from '../core/model';

/** What the Kubernetes reader needs from DescribeCluster; not part of the inventory. */
export interface ClusterEndpoint {
  accountId: string;
  region: string;
  name: string;
  /** `https://…eks.amazonaws.com`. */
  endpoint: string;
  /** Base64 PEM, as DescribeCluster returns it. */
  caData: string;
  /** `API`, `API_AND_CONFIG_MAP` or `CONFIG_MAP`; decides how access is granted. */
  authenticationMode?: string;
  /** False for a private-only endpoint: reachable only from the cluster's VPC or a connected network. */
  endpointPublicAccess?: boolean;
}

/**
 * DescribeCluster → the cluster as the inventory holds it (issuer verbatim, possibly absent) plus how
 * to reach its API. Kubernetes data is filled in later; until then the cluster is "not collected".
 */
export function clusterFromDescribe(
  described: EksCluster,
  accountId: string,
  region: string,
): { cluster: Cluster; endpoint?: ClusterEndpoint; notReadableReason?: string } {
  const name = described.name ?? '';
  const cluster: Cluster = {
    name,
    region,
    ...(described.arn ? { arn: described.arn } : {}),
    ...(described.identity?.oidc?.issuer ? { oidcIssuer: described.identity.oidc.issuer } : {}),
    podIdentityAssociations: [],
    kubernetes: { status: 'not-collected' },
    serviceAccounts: [],
    pods: [],
  };
  const caData = described.certificateAuthority?.data;
  if (!described.endpoint || !caData) {
    return {
      cluster,
      notReadableReason: `the cluster has no API endpoint yet (status ${described.status ?? 'unknown'})`,
    };
  }
  return {
    cluster,
    endpoint: {
      accountId,
      region,
      name,
      endpoint: described.endpoint,
      caData,
      ...(described.accessConfig?.authenticationMode
        ? { authenticationMode: described.accessConfig.authenticationMode }
        : {}),
      ...(described.resourcesVpcConfig?.endpointPublicAccess !== undefined
        ? { endpointPublicAccess: described.resourcesVpcConfig.endpointPublicAccess }
        : {}),
    },
  };
}

/** The list call gives namespace and service account; only the describe call has the role ARNs. */
export function associationFrom(
  summary: PodIdentityAssociationSummary,
  described?: EksAssociation,
): PodIdentityAssociation {
  const association: PodIdentityAssociation = {
    namespace: described?.namespace ?? summary.namespace ?? '',
    serviceAccount: described?.serviceAccount ?? summary.serviceAccount ?? '',
  };
  if (described?.roleArn) association.roleArn = described.roleArn;
  if (described?.targetRoleArn) association.targetRoleArn = described.targetRoleArn;
  const id = described?.associationId ?? summary.associationId;
  if (id) association.associationId = id;
  return association;
}
