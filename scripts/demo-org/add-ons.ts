/** Cluster add-ons the platform team runs on every cluster, with correct IRSA (no findings). */
import { eksctlTrust, type OidcProviderRef, terraformTrustFor } from '../shapes/trust-policies';
import type { AccountBuilder } from './account-builder';
import type { ClusterBuilder } from './cluster-builder';
import { customerPolicy, EKS_POLICIES } from './identities';

/** The AWS Load Balancer Controller's role, by eksctl (which names it with a random suffix). */
export function loadBalancerControllerRole(
  account: AccountBuilder,
  provider: OidcProviderRef,
  name: string,
): string {
  return account.role(name, eksctlTrust(provider, 'kube-system', 'aws-load-balancer-controller'), {
    attached: [customerPolicy(account.id, 'AWSLoadBalancerControllerIAMPolicy')],
  });
}

/** The EBS CSI driver's role, by eksctl as the EKS user guide creates it. */
export function ebsCsiDriverRole(
  account: AccountBuilder,
  provider: OidcProviderRef,
  clusterName: string,
): string {
  return account.role(
    `AmazonEKS_EBS_CSI_DriverRole-${clusterName}`,
    eksctlTrust(provider, 'kube-system', 'ebs-csi-controller-sa'),
    { attached: [EKS_POLICIES.ebsCsi] },
  );
}

/** Karpenter's controller role, by the terraform-aws-modules karpenter module. */
export function karpenterControllerRole(
  account: AccountBuilder,
  provider: OidcProviderRef,
  clusterName: string,
): string {
  return account.role(
    `KarpenterController-${clusterName}`,
    terraformTrustFor(provider, 'karpenter:karpenter'),
    {
      inline: ['KarpenterControllerPolicy'],
    },
  );
}

/** kube-system's own workloads, and the namespaces every cluster has. */
export function coreSystem(cluster: ClusterBuilder, started: string): void {
  cluster
    .namespace('default')
    .namespace('kube-node-lease')
    .namespace('kube-public')
    .serviceAccount('kube-system', 'coredns')
    .serviceAccount('kube-system', 'kube-proxy')
    .serviceAccount('kube-system', 'eks-pod-identity-agent')
    .serviceAccount('kube-system', 'ebs-csi-node-sa')
    .app('kube-system', 'coredns', 2, started);
  for (const name of ['kube-proxy', 'eks-pod-identity-agent']) daemonSet(cluster, name, [name], started);
}

function daemonSet(cluster: ClusterBuilder, name: string, containers: string[], started: string): void {
  cluster.workload({
    namespace: 'kube-system',
    kind: 'DaemonSet',
    name,
    serviceAccount: name,
    replicas: 3,
    containers,
    startTime: started,
  });
}

export function awsNode(cluster: ClusterBuilder, role: string, started: string): void {
  cluster.serviceAccount('kube-system', 'aws-node', role).workload({
    namespace: 'kube-system',
    kind: 'DaemonSet',
    name: 'aws-node',
    serviceAccount: 'aws-node',
    replicas: 3,
    initContainers: ['aws-vpc-cni-init'],
    containers: ['aws-node', 'aws-eks-nodeagent'],
    startTime: started,
  });
}

export function ebsCsiController(cluster: ClusterBuilder, role: string | undefined, started: string): void {
  cluster.serviceAccount('kube-system', 'ebs-csi-controller-sa', role).workload({
    namespace: 'kube-system',
    kind: 'Deployment',
    name: 'ebs-csi-controller',
    serviceAccount: 'ebs-csi-controller-sa',
    replicas: 2,
    containers: ['ebs-plugin', 'csi-provisioner', 'csi-attacher', 'csi-resizer', 'liveness-probe'],
    startTime: started,
  });
}

export function loadBalancerController(cluster: ClusterBuilder, role: string, started: string): void {
  cluster.helmApp('kube-system', 'aws-load-balancer-controller', role, 2, started);
}

export function karpenter(cluster: ClusterBuilder, role: string, started: string): void {
  cluster.helmApp('karpenter', 'karpenter', role, 2, started, { containers: ['controller'] });
}
