/** Cluster add-ons the platform team runs on every cluster, with correct IRSA (no findings). */
import type { ClusterBuilder } from './cluster-builder';

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
