import { ApiException } from '@kubernetes/client-node';
import { accessEntryCommands } from '../core/access-entry';
import { partitionOfArn } from '../core/arn';
import { AuditorError } from '../core/errors';
import type { ClusterEndpoint } from './cluster-endpoint';
import { trimMessage } from './errors';
import type { KubernetesOptions } from './options';

/**
 * Why a cluster's Kubernetes API could not be read, phrased as what to do about it (docs/checks.md
 * `scan.cluster-unreachable`): an access entry with AmazonEKSViewPolicy for the audit role, or network
 * reachability of a private endpoint. The code is stable; the reason is for people.
 */

/** The cluster's whole budget ran out (as opposed to one request timing out). */
export class ClusterBudgetExceeded extends AuditorError {
  constructor(readonly budgetMs: number) {
    super('ClusterBudgetExceeded', `the cluster's ${Math.round(budgetMs / 1000)} s read budget ran out`);
    this.name = 'ClusterBudgetExceeded';
  }
}

/** 410 Gone after every allowed restart: the cluster churns faster than a full list can be read. */
export class ListExpiredError extends AuditorError {
  constructor(
    readonly kind: string,
    readonly restarts: number,
  ) {
    super('ListExpired', `the ${kind} list expired (410 Gone) ${restarts + 1} times`);
    this.name = 'ListExpiredError';
  }
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|EPROTO)/;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

export function unreachableReason(
  cause: unknown,
  cluster: ClusterEndpoint,
  hint: { principalArn: string },
  settings: Pick<KubernetesOptions, 'requestTimeoutMs' | 'clusterTimeoutMs'>,
): { code: string; reason: string } {
  if (cause instanceof ApiException) {
    if (cause.code === 401) {
      return {
        code: 'KubernetesUnauthorized',
        reason:
          `The Kubernetes API rejected the audit's token (401 Unauthorized): ${hint.principalArn} is not ` +
          `mapped to a Kubernetes identity in the cluster. ${grantAdvice(cluster, hint.principalArn)}`,
      };
    }
    if (cause.code === 403) {
      return {
        code: 'KubernetesForbidden',
        reason:
          `The audit role is authenticated but may not list ServiceAccounts and Pods cluster-wide ` +
          `(403 Forbidden). ${grantAdvice(cluster, hint.principalArn)}`,
      };
    }
    return {
      code: 'KubernetesApiError',
      reason: `The Kubernetes API answered HTTP ${cause.code} to a list request; retry, and check the API server health.`,
    };
  }
  if (cause instanceof ListExpiredError) {
    return {
      code: 'KubernetesListExpired',
      reason:
        `${cause.message}: objects change faster than a full list can be read. Retry, or raise the ` +
        'page size so the list needs fewer requests.',
    };
  }
  if (cause instanceof ClusterBudgetExceeded || isTimeout(cause)) {
    const what =
      cause instanceof ClusterBudgetExceeded
        ? `The cluster could not be read within its ${seconds(settings.clusterTimeoutMs)} budget`
        : `The Kubernetes API did not answer within ${seconds(settings.requestTimeoutMs)}`;
    return { code: 'KubernetesTimeout', reason: `${what}. ${networkAdvice(cluster)}` };
  }
  const code = systemCode(cause);
  if (code && DNS_CODES.has(code)) {
    return {
      code: 'KubernetesDnsFailure',
      reason: `The API endpoint ${hostOf(cluster.endpoint)} did not resolve (${code}). ${networkAdvice(cluster)}`,
    };
  }
  if (code && NETWORK_CODES.has(code)) {
    return {
      code: 'KubernetesUnreachable',
      reason: `Could not connect to ${hostOf(cluster.endpoint)} (${code}). ${networkAdvice(cluster)}`,
    };
  }
  if (code && TLS_CODES.test(code)) {
    return {
      code: 'KubernetesTlsFailure',
      reason:
        `The API server's certificate did not verify against the cluster CA from DescribeCluster (${code}): ` +
        'a TLS-intercepting proxy between the audit and the cluster, or an endpoint that is not this cluster.',
    };
  }
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return { code: 'KubernetesError', reason: trimMessage(`Reading the Kubernetes API failed: ${message}`) };
}

/** How to let the audit role read the cluster, for the cluster's authentication mode. */
export function grantAdvice(cluster: ClusterEndpoint, principalArn: string): string {
  const partition = partitionOfArn(principalArn) ?? 'aws';
  const where = `--name ${cluster.name} --region ${cluster.region}`;
  const entry = accessEntryCommands({
    clusterName: cluster.name,
    region: cluster.region,
    principalArn,
    partition,
  }).join(' && ');
  if (cluster.authenticationMode === 'CONFIG_MAP') {
    return (
      'The cluster authenticates only through the aws-auth ConfigMap: switch it to API_AND_CONFIG_MAP ' +
      `(aws eks update-cluster-config ${where} --access-config authenticationMode=API_AND_CONFIG_MAP) and ` +
      `grant an access entry with AmazonEKSViewPolicy: ${entry}. Or map the role (ARN without its path) ` +
      'in aws-auth to a group bound to a read-only ClusterRole.'
    );
  }
  return `Grant an EKS access entry with AmazonEKSViewPolicy (cluster session): ${entry}`;
}

function networkAdvice(cluster: ClusterEndpoint): string {
  if (cluster.endpointPublicAccess === false) {
    return (
      'The endpoint is private-only: run the audit where it can reach the cluster VPC (a Lambda attached ' +
      'to that VPC, or a peered / Transit Gateway network) with TCP 443 allowed by the cluster security group.'
    );
  }
  return (
    'Check that the endpoint is reachable from where the audit runs: publicAccessCidrs must include the ' +
    "audit's egress IP, or enable private access and run the audit inside the cluster VPC."
  );
}

function isTimeout(cause: unknown): boolean {
  const error = cause as { name?: string; type?: string };
  return (
    error?.name === 'AbortError' ||
    error?.name === 'TimeoutError' ||
    error?.type === 'aborted' ||
    error?.type === 'request-timeout'
  );
}

function systemCode(cause: unknown): string | undefined {
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
