import { Agent, request as httpsRequest } from 'node:https';
import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  type HttpLibrary,
  type Middleware,
  type RequestContext,
  ResponseContext,
  type SecurityAuthentication,
  ServerConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { AuditorError } from '../core/errors';
import { podFromObject, serviceAccountFromObject } from '../core/inventory/api-objects';
import type { Pod, ServiceAccount } from '../core/model';
import type { ClusterEndpoint } from './cluster-endpoint';
import type { KubernetesOptions } from './options';
import { ClusterBudgetExceeded, ListExpiredError, unreachableReason } from './unreachable';

/**
 * Reads ServiceAccounts and Pods through a cluster's Kubernetes API with `@kubernetes/client-node`:
 * TLS verified against the CA from DescribeCluster and nothing else (whatever
 * NODE_TLS_REJECT_UNAUTHORIZED says: the request carries the EKS token), the EKS bearer token,
 * `limit`-sized pages followed with `continue`, a list restarted from scratch when its continue token
 * expired (410 Gone, bounded), a per-request timeout and a budget for the whole cluster, a size cap per
 * page (a page over it is asked again with half the `limit`). It never throws: a cluster that cannot be
 * read comes back `unreachable` with a reason that says what to grant or fix.
 */

export type KubernetesReadResult =
  | {
      status: 'ok';
      serviceAccounts: ServiceAccount[];
      pods: Pod[];
      requests: number;
      /** Objects cut to the per-object size cap (docs/collection.md "Size caps"); absent when none. */
      cappedObjects?: number;
    }
  | { status: 'unreachable'; code: string; reason: string; requests: number };

/** Bytes of one list response at most (docs/collection.md "Size caps"). */
export const MAX_PAGE_BYTES = 16 * 2 ** 20;

/** The server answered one continue token with the same token again: the list would never end. */
export class ContinueTokenRepeated extends AuditorError {
  constructor(readonly kind: string) {
    super('KubernetesContinueRepeated', `the ${kind} list returned the same continue token twice`);
    this.name = 'ContinueTokenRepeated';
  }
}

/** One page was larger than the cap even with `limit` 1. */
export class PageTooLarge extends AuditorError {
  constructor(readonly maxBytes: number) {
    super('KubernetesPageTooLarge', `a list page exceeded ${Math.round(maxBytes / 2 ** 20)} MiB`);
    this.name = 'PageTooLarge';
  }
}

/** Size limits; tests make them small. */
export interface ReaderLimits {
  maxPageBytes: number;
}

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

export function createKubernetesReader(
  settings: KubernetesOptions,
  limits: ReaderLimits = { maxPageBytes: MAX_PAGE_BYTES },
): KubernetesReader {
  return {
    read: (cluster, token, hint, filter) => readCluster(settings, limits, cluster, token, hint, filter),
  };
}

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

async function readCluster(
  settings: KubernetesOptions,
  limits: ReaderLimits,
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
  // One agent per cluster read: its CA only, verification always on, connections reused across pages.
  const agent = new Agent({
    ca: Buffer.from(cluster.caData, 'base64'),
    rejectUnauthorized: true,
    keepAlive: true,
  });
  const api = coreApi(cluster, token, agent, limits, budget.signal, settings.requestTimeoutMs);
  const counter = { requests: 0, cappedObjects: 0 };
  const onCapped = () => {
    counter.cappedObjects++;
  };
  const limit = settings.pageSize;
  const restarts = settings.maxListRestarts;
  try {
    const [serviceAccounts, pods] = await Promise.all([
      listAll(
        'ServiceAccount',
        (_continue, limit) =>
          filter
            ? api.listNamespacedServiceAccount({
                namespace: filter.namespace,
                limit,
                _continue,
                ...(filter.serviceAccount ? { fieldSelector: `metadata.name=${filter.serviceAccount}` } : {}),
              })
            : api.listServiceAccountForAllNamespaces({ limit, _continue }),
        (object) => serviceAccountFromObject(object, onCapped),
        limit,
        restarts,
        counter,
      ),
      listAll(
        'Pod',
        (_continue, limit) =>
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
        (object) => podFromObject(object, onCapped),
        limit,
        restarts,
        counter,
      ),
    ]);
    return {
      status: 'ok',
      serviceAccounts,
      pods,
      requests: counter.requests,
      ...(counter.cappedObjects > 0 ? { cappedObjects: counter.cappedObjects } : {}),
    };
  } catch (error) {
    const cause = budget.signal.aborted ? budget.signal.reason : error;
    budget.abort(); // stops the other list if it is still running
    const { code, reason } = failureOf(cause, cluster, hint, settings, limits);
    return { status: 'unreachable', code, reason, requests: counter.requests };
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
}

/** The reader's own failures, then the shared Kubernetes reasons. */
function failureOf(
  cause: unknown,
  cluster: ClusterEndpoint,
  hint: AccessHint,
  settings: KubernetesOptions,
  limits: ReaderLimits,
): { code: string; reason: string } {
  if (cause instanceof ContinueTokenRepeated) {
    return {
      code: 'KubernetesContinueRepeated',
      reason:
        `The Kubernetes API returned the same continue token twice for the ${cause.kind} list, so the list ` +
        'would never end; it was not read. Check the API server (or a proxy in front of it) and retry.',
    };
  }
  if (cause instanceof PageTooLarge) {
    return {
      code: 'KubernetesPageTooLarge',
      reason:
        `One Kubernetes object was larger than the ${Math.round(limits.maxPageBytes / 2 ** 20)} MiB the audit ` +
        'reads per page (a Kubernetes object is at most ~1.5 MiB): the list was not read. Check the API server.',
    };
  }
  return unreachableReason(cause, cluster, hint, settings);
}

/**
 * Pages through one list; restarts it from the first page when the continue token expired. A page over
 * the size cap is asked again with half the `limit` (continue tokens do not depend on it).
 */
async function listAll<T, R>(
  kind: string,
  fetchPage: (continueToken: string | undefined, limit: number) => Promise<ListPage<T>>,
  map: (object: T) => R,
  pageSize: number,
  maxRestarts: number,
  counter: { requests: number },
): Promise<R[]> {
  let limit = pageSize;
  for (let restart = 0; ; restart++) {
    const collected: R[] = [];
    const seen = new Set<string>();
    let continueToken: string | undefined;
    try {
      for (;;) {
        counter.requests++;
        let page: ListPage<T>;
        try {
          page = await fetchPage(continueToken, limit);
        } catch (error) {
          if (!(error instanceof PageTooLarge) || limit === 1) throw error;
          limit = Math.max(1, Math.floor(limit / 2));
          continue;
        }
        for (const object of page.items) collected.push(map(object));
        continueToken = page.metadata?._continue || undefined;
        if (continueToken === undefined) return collected;
        if (seen.has(continueToken)) throw new ContinueTokenRepeated(kind);
        seen.add(continueToken);
      }
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
  agent: Agent,
  limits: ReaderLimits,
  budget: AbortSignal,
  requestTimeoutMs: number,
): CoreV1Api {
  const bearer: SecurityAuthentication = {
    getName: () => 'eks-token',
    applySecurityAuthentication: (context) => context.setHeaderParam('Authorization', `Bearer ${token}`),
  };
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
      authMethods: { default: bearer },
      httpApi: httpsLibrary(agent, limits.maxPageBytes),
      promiseMiddleware: [deadlines],
    }),
  );
}

/**
 * The client's HTTP layer, on `node:https` with the cluster's agent (its CA, verification on) and a
 * size cap on the response body, read as it arrives: a page over the cap is dropped unread.
 */
function httpsLibrary(agent: Agent, maxBytes: number): HttpLibrary {
  return wrapHttpLibrary({
    send: (request: RequestContext) =>
      new Promise<ResponseContext>((resolve, reject) => {
        const url = new URL(request.getUrl());
        if (url.protocol !== 'https:') {
          reject(new Error(`refusing to send the EKS token over ${url.protocol}`));
          return;
        }
        const signal = request.getSignal();
        const failed = (error: unknown) => reject(signal?.aborted ? signal.reason : error);
        const outgoing = httpsRequest(
          url,
          { method: request.getHttpMethod(), headers: request.getHeaders(), agent, signal },
          (response) => {
            const declared = Number(response.headers['content-length']);
            if (declared > maxBytes) {
              response.destroy();
              reject(new PageTooLarge(maxBytes));
              return;
            }
            const chunks: Buffer[] = [];
            let size = 0;
            let ended = false;
            response.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > maxBytes) {
                chunks.length = 0;
                response.destroy();
                reject(new PageTooLarge(maxBytes));
                return;
              }
              chunks.push(chunk);
            });
            response.on('error', failed);
            response.on('close', () => {
              if (!ended) failed(new Error('the connection closed before the response ended'));
            });
            response.on('end', () => {
              ended = true;
              const body = Buffer.concat(chunks);
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(response.headers)) {
                if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
              }
              resolve(
                new ResponseContext(response.statusCode ?? 0, headers, {
                  text: async () => body.toString('utf8'),
                  binary: async () => body,
                }),
              );
            });
          },
        );
        outgoing.on('error', failed);
        const body = request.getBody();
        if (typeof body === 'string') outgoing.write(body);
        outgoing.end();
      }),
  });
}
