import type { Cluster as EksCluster } from '@aws-sdk/client-eks';

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
 * How to reach a described cluster's API, or why it cannot be reached yet. The cluster itself (name,
 * ARN, issuer) is converted by the core (`clusterFromDescribe`), as for a `describe-cluster` export.
 */
export function endpointFromDescribe(
  described: EksCluster,
  accountId: string,
  region: string,
): { endpoint: ClusterEndpoint } | { notReadableReason: string } {
  const caData = described.certificateAuthority?.data;
  if (!described.endpoint || !caData) {
    return {
      notReadableReason: `the cluster has no API endpoint yet (status ${described.status ?? 'unknown'})`,
    };
  }
  return {
    endpoint: {
      accountId,
      region,
      name: described.name ?? '',
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
