import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A loopback kube-apiserver for tests: HTTPS on 127.0.0.1 with the fixture CA's certificate, a bearer
 * token check, `limit`/`continue` pagination over fixed object lists (continue = offset), and knobs for
 * the failures the reader must survive: a 410 mid-list, a forbidden list, a slow answer.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'kube');
export const CA_DATA = readFileSync(join(FIXTURES, 'ca.pem')).toString('base64');
export const OTHER_CA_DATA = readFileSync(join(FIXTURES, 'other-ca.pem')).toString('base64');

export interface KubeServerOptions {
  serviceAccounts?: object[];
  pods?: object[];
  /** Accepts the bearer token; default: any `k8s-aws-v1.` token. */
  authorize?: (token: string) => boolean;
  /** Answer 410 Gone to the n-th request (1-based, counted per resource) that carries a continue token. */
  goneOnContinue?: { resource: 'serviceaccounts' | 'pods'; times: number };
  /** Answer 403 to this resource. */
  forbid?: 'serviceaccounts' | 'pods';
  /** Delay every answer by this much. */
  delayMs?: number;
  /** Answer every page of this resource with the same continue token (a broken server or proxy). */
  repeatContinue?: 'serviceaccounts' | 'pods';
}

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

export interface KubeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startKubeServer(options: KubeServerOptions = {}): Promise<KubeServer> {
  const requests: RecordedRequest[] = [];
  let goneLeft = options.goneOnContinue?.times ?? 0;
  const server: Server = createServer(
    { cert: readFileSync(join(FIXTURES, 'server.pem')), key: readFileSync(join(FIXTURES, 'server.key')) },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      requests.push({ path: url.pathname, query, authorization: request.headers.authorization });
      const send = (status: number, body: unknown) => {
        const answer = () => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        };
        if (options.delayMs) setTimeout(answer, options.delayMs).unref();
        else answer();
      };
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const authorized = options.authorize ? options.authorize(token) : token.startsWith('k8s-aws-v1.');
      if (!authorized) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      const match = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(serviceaccounts|pods)$/.exec(url.pathname);
      if (!match)
        return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const [, namespace, resource] = match as unknown as [
        string,
        string | undefined,
        'serviceaccounts' | 'pods',
      ];
      if (options.forbid === resource) {
        return send(
          403,
          status(403, 'Forbidden', `${resource} is forbidden: cannot list resource at the cluster scope`),
        );
      }
      if (query.continue && options.goneOnContinue?.resource === resource && goneLeft > 0) {
        goneLeft--;
        return send(410, status(410, 'Expired', 'The provided continue parameter is too old'));
      }
      let items = (resource === 'pods' ? options.pods : options.serviceAccounts) ?? [];
      if (namespace) items = items.filter((item) => metadataOf(item).namespace === namespace);
      if (query.fieldSelector) items = items.filter((item) => matchesField(item, query.fieldSelector));
      const offset = query.continue && /^\d+$/.test(query.continue) ? Number(query.continue) : 0;
      const limit = query.limit ? Number(query.limit) : items.length;
      const page = items.slice(offset, offset + limit);
      const next =
        options.repeatContinue === resource
          ? 'the-same-token'
          : offset + limit < items.length
            ? String(offset + limit)
            : undefined;
      send(200, {
        kind: resource === 'pods' ? 'PodList' : 'ServiceAccountList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1000', ...(next ? { continue: next } : {}) },
        items: page,
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function metadataOf(item: object): { namespace?: string; name?: string } {
  return (item as { metadata?: { namespace?: string; name?: string } }).metadata ?? {};
}

function matchesField(item: object, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=');
    if (field === 'metadata.name') return metadataOf(item).name === value;
    if (field === 'spec.serviceAccountName') {
      return (
        ((item as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName ?? 'default') === value
      );
    }
    return true;
  });
}

export function serviceAccount(namespace: string, name: string, annotations?: Record<string, string>) {
  return { metadata: { namespace, name, ...(annotations ? { annotations } : {}) } };
}

export function pod(
  namespace: string,
  name: string,
  options: {
    serviceAccountName?: string;
    env?: { name: string; value?: string }[];
    replicaSet?: string;
    hash?: string;
  } = {},
) {
  return {
    metadata: {
      namespace,
      name,
      ...(options.hash ? { labels: { 'pod-template-hash': options.hash } } : {}),
      ...(options.replicaSet
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: options.replicaSet,
                uid: 'u',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      containers: [{ name: 'app', image: 'app:1', env: options.env ?? [] }],
    },
    status: { phase: 'Running', startTime: '2026-11-28T10:00:00Z' },
  };
}
