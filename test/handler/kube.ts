/**
 * Serves a simulated organization's clusters through loopback Kubernetes API servers (one per cluster,
 * the fixture CA), so tests that use the production Kubernetes reader never leave 127.0.0.1.
 */
import type { SimOrganization } from '../../bench/collect-sim';
import type { Pod, ServiceAccount } from '../../lambda/core/model';
import { CA_DATA, type KubeServer, startKubeServer } from '../collect/kube-server';

function kubeServiceAccount(sa: ServiceAccount) {
  return { metadata: { namespace: sa.namespace, name: sa.name, annotations: sa.annotations } };
}

function kubePod(pod: Pod) {
  return {
    metadata: {
      namespace: pod.namespace,
      name: pod.name,
      ...(pod.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: pod.owner.kind,
                name: pod.owner.name,
                uid: 'u',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      serviceAccountName: pod.serviceAccountName,
      containers: pod.containers.map((container) => ({
        name: container.name,
        image: 'app:1',
        env: container.env,
      })),
    },
    status: { phase: pod.phase ?? 'Running' },
  };
}

export interface ServedClusters {
  /** The API server of each cluster, by cluster name (its `requests` show what was read). */
  servers: Map<string, KubeServer>;
  /** Points every served cluster of `org` (matched by name) at its server; returns `org`. */
  apply(org: SimOrganization): SimOrganization;
  close(): Promise<void>;
}

/** Starts one API server per cluster of `org`, serving that cluster's service accounts and pods. */
export async function serveClusters(org: SimOrganization): Promise<ServedClusters> {
  const servers = new Map<string, KubeServer>();
  for (const account of org.accounts) {
    for (const cluster of account.clusters) {
      const server = await startKubeServer({
        serviceAccounts: (cluster.serviceAccounts ?? []).map(kubeServiceAccount),
        pods: (cluster.pods ?? []).map(kubePod),
      });
      servers.set(cluster.name, server);
    }
  }
  return {
    servers,
    apply: (target) => {
      for (const cluster of target.accounts.flatMap((account) => account.clusters)) {
        const server = servers.get(cluster.name);
        if (!server) continue;
        cluster.endpoint = server.url;
        cluster.caData = CA_DATA;
      }
      return target;
    },
    close: async () => {
      await Promise.all([...servers.values()].map((server) => server.close()));
    },
  };
}
