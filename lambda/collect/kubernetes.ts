import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  type Middleware,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { podFromObject, serviceAccountFromObject } from '../core/inventory/api-objects';
import type { Pod, ServiceAccount } from '../core/model';
import type { ClusterEndpoint } from './cluster-endpoint';
import type { KubernetesOptions } from './options';
import { ClusterBudgetExceeded, ListExpiredError, unreachableReason } from './unreachable';

/**
 * Reads ServiceAccounts and Pods through a cluster's Kubernetes API with `@kubernetes/client-node`:
 * TLS verified against the CA from DescribeCluster, the EKS bearer token, `limit`-sized pages followed
 * with `continue`, a list restarted from scratch when its continue token expired (410 Gone, bounded),
 * a per-request timeout and a budget for the whole cluster. It never throws: a cluster that cannot be
 * read comes back `unreachable` with a reason that says what to grant or fix.
 */

export type KubernetesReadResult =
  | { status: 'ok'; serviceAccounts: ServiceAccount[]; pods: Pod[]; requests: number }
  | { status: 'unreachable'; code: string; reason: string; requests: number };

/** Who reads the cluster (an IAM role ARN when known), for the access-entry advice in reasons. */
export interface AccessHint {
  principalArn: string;
}

/** Restricts a read to one namespace, and optionally to one service account and its pods (`explain --live`). */
export interface ReadFilter {
  namespace: string;
  serviceAccount?: string;
}

export interface KubernetesReader {
  read(
    cluster: ClusterEndpoint,
    token: string,
    hint: AccessHint,
    filter?: ReadFilter,
  ): Promise<KubernetesReadResult>;
}

export function createKubernetesReader(settings: KubernetesOptions): KubernetesReader {
  return { read: (cluster, token, hint, filter) => readCluster(settings, cluster, token, hint, filter) };
}

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

async function readCluster(
  settings: KubernetesOptions,
  cluster: ClusterEndpoint,
  token: string,
  hint: AccessHint,
  filter: ReadFilter | undefined,
): Promise<KubernetesReadResult> {
  const budget = new AbortController();
  const timer = setTimeout(
    () => budget.abort(new ClusterBudgetExceeded(settings.clusterTimeoutMs)),
    settings.clusterTimeoutMs,
  );
  timer.unref?.();
  const api = coreApi(cluster, token, budget.signal, settings.requestTimeoutMs);
  const counter = { requests: 0 };
  const limit = settings.pageSize;
  const restarts = settings.maxListRestarts;
  try {
    const [serviceAccounts, pods] = await Promise.all([
      listAll(
        'ServiceAccount',
        (_continue) =>
          filter
            ? api.listNamespacedServiceAccount({
                namespace: filter.namespace,
                limit,
                _continue,
                ...(filter.serviceAccount ? { fieldSelector: `metadata.name=${filter.serviceAccount}` } : {}),
              })
            : api.listServiceAccountForAllNamespaces({ limit, _continue }),
        serviceAccountFromObject,
        restarts,
        counter,
      ),
      listAll(
        'Pod',
        (_continue) =>
          filter
            ? api.listNamespacedPod({
                namespace: filter.namespace,
                limit,
                _continue,
                ...(filter.serviceAccount
                  ? { fieldSelector: `spec.serviceAccountName=${filter.serviceAccount}` }
                  : {}),
              })
            : api.listPodForAllNamespaces({ limit, _continue }),
        podFromObject,
        restarts,
        counter,
      ),
    ]);
    return { status: 'ok', serviceAccounts, pods, requests: counter.requests };
  } catch (error) {
    const cause = budget.signal.aborted ? budget.signal.reason : error;
    budget.abort(); // stops the other list if it is still running
    const { code, reason } = unreachableReason(cause, cluster, hint, settings);
    return { status: 'unreachable', code, reason, requests: counter.requests };
  } finally {
    clearTimeout(timer);
  }
}

/** Pages through one list; restarts it from the first page when the continue token expired. */
async function listAll<T, R>(
  kind: string,
  fetchPage: (continueToken: string | undefined) => Promise<ListPage<T>>,
  map: (object: T) => R,
  maxRestarts: number,
  counter: { requests: number },
): Promise<R[]> {
  for (let restart = 0; ; restart++) {
    const collected: R[] = [];
    let continueToken: string | undefined;
    try {
      do {
        counter.requests++;
        const page = await fetchPage(continueToken);
        for (const object of page.items) collected.push(map(object));
        continueToken = page.metadata?._continue || undefined;
      } while (continueToken);
      return collected;
    } catch (error) {
      // A consistent list needs a fresh start: the objects read so far are dropped (the API docs'
      // advice), never mixed with a newer snapshot.
      if (error instanceof ApiException && error.code === 410 && continueToken !== undefined) {
        if (restart < maxRestarts) continue;
        throw new ListExpiredError(kind, restart);
      }
      throw error;
    }
  }
}

function coreApi(
  cluster: ClusterEndpoint,
  token: string,
  budget: AbortSignal,
  requestTimeoutMs: number,
): CoreV1Api {
  const config = new KubeConfig();
  const name = `${cluster.accountId}/${cluster.region}/${cluster.name}`;
  config.loadFromOptions({
    clusters: [{ name, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: 'irsa-auditor', token }],
    contexts: [{ name, cluster: name, user: 'irsa-auditor' }],
    currentContext: name,
  });
  // Every request is cut by its own timeout or by the cluster's budget, whichever comes first.
  const deadlines: Middleware = {
    pre: async (context) => {
      context.setSignal(AbortSignal.any([budget, AbortSignal.timeout(requestTimeoutMs)]));
      return context;
    },
    post: async (context) => context,
  };
  return new CoreV1Api(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.endpoint, {}),
      authMethods: { default: config },
      promiseMiddleware: [deadlines],
    }),
  );
}
