import type { CoverageError } from '../core/model';
import { classifyAwsError } from './aws-errors';
import type { DescribedCluster } from './eks';
import { eksToken } from './eks-token';
import { trimMessage } from './errors';
import type { KubernetesReadResult, ReadFilter } from './kubernetes';
import type { AccountSession } from './run-context';

/**
 * Fills a cluster's Kubernetes data: the EKS token is presigned with the account's credentials (the
 * member role, so that role is what needs the access entry) just before the read starts, and the read
 * waits for one of the run's Kubernetes slots. An unreadable cluster gets `kubernetes.unreachable`
 * with the reason, plus a cluster-scope coverage error so drift keeps its Kubernetes findings open.
 */
export async function readClusterKubernetes(
  session: AccountSession,
  described: DescribedCluster,
  errors: CoverageError[],
  readFilter?: ReadFilter,
): Promise<void> {
  const { run } = session;
  const { cluster, endpoint } = described;
  if (!endpoint) return; // no API endpoint: the reason was set when it was described
  if (!run.options.kubernetes.enabled) {
    cluster.kubernetes = {
      status: 'not-collected',
      reason: 'Kubernetes collection was turned off for this run',
    };
    return;
  }
  const principalArn = session.usesCallerCredentials
    ? iamPrincipalOf(run.caller.arn)
    : run.credentials.roleArnFor(session.accountId);
  const result = await run.kubernetesGate.run(async (): Promise<KubernetesReadResult> => {
    if (run.deadlinePassed()) {
      // Past the deadline only the started work finishes; a cluster read can take minutes.
      return {
        status: 'unreachable',
        code: 'NotScanned',
        reason: "Not read: the run's deadline passed before this cluster's Kubernetes API could be read.",
        requests: 0,
      };
    }
    let token: string;
    try {
      const credentials = await run.credentials.get(session.accountId);
      token = await eksToken({
        clusterName: endpoint.name,
        region: endpoint.region,
        credentials,
        partition: run.caller.partition,
        signingDate: new Date(run.clock.now()),
      });
    } catch (error) {
      const failure = classifyAwsError(error);
      return {
        status: 'unreachable',
        code: 'KubernetesTokenFailed',
        reason: `No EKS token could be made for the cluster (the account's credentials failed): ${failure.message}`,
        requests: 0,
      };
    }
    try {
      return await run.kubernetes.read(endpoint, token, { principalArn }, readFilter);
    } catch (error) {
      // The reader reports failures as results; an exception is a bug in it, kept to this cluster.
      return {
        status: 'unreachable',
        code: 'KubernetesError',
        reason: trimMessage(
          `Reading the Kubernetes API failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
        requests: 0,
      };
    }
  });
  run.snapshot.kubernetesRequests += result.requests;
  if (result.status === 'ok') {
    cluster.kubernetes = { status: 'ok' };
    cluster.serviceAccounts = result.serviceAccounts;
    cluster.pods = result.pods;
    return;
  }
  cluster.kubernetes =
    result.code === 'NotScanned'
      ? { status: 'not-collected', reason: result.reason }
      : { status: 'unreachable', reason: result.reason };
  errors.push({
    scope: 'cluster',
    region: cluster.region,
    cluster: cluster.name,
    code: result.code,
    message: result.reason,
  });
}

/**
 * The IAM principal behind an STS identity, as an access entry names it. An assumed-role ARN does not
 * carry the role's path; the role name is what matters for reading it.
 */
function iamPrincipalOf(arn: string): string {
  const match = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : arn;
}
