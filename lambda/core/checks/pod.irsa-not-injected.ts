/**
 * pod.irsa-not-injected — a running pod of an annotated service account without AWS_ROLE_ARN /
 * AWS_WEB_IDENTITY_TOKEN_FILE: started before the annotation, created while the webhook was down
 * (failurePolicy Ignore), or hit by the early-return quirk. The SDK falls through to the node role
 * (guide: test pod). Grouped per workload. Pods that opt out (label) or use Pod Identity are excluded.
 */
import { ANNOTATION_ROLE_ARN } from '../model';
import {
  clusterLabel,
  hasIrsaEnv,
  isLive,
  listPods,
  mutatedContainers,
  restartRemediation,
  SKIP_POD_LABEL,
  workloadResource,
} from './helpers';
import type { WorkloadCheck } from './types';

export const check: WorkloadCheck = {
  id: 'pod.irsa-not-injected',
  runsOn: 'workload',
  severity: 'high',
  title: 'Running pods of an annotated service account lack IRSA credentials',
  description:
    'The service account is annotated with a role, but running pods have no AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE. The webhook only mutates pods at creation, so these pods use the node role until re-created.',
  remediation:
    'Re-create the pods of the workload; if new pods still lack the variables, check the pod-identity webhook.',
  commands: ['kubectl rollout restart -n <ns> <kind>/<name>'],
  guideStep: 'test-pod',
  reads: ['service-accounts', 'pods', 'pod-identity'],
  run(workload) {
    const sa = workload.serviceAccount;
    if (!sa?.roleArn || sa.association) return [];
    const affected = workload.pods.filter((pod) => {
      if (!isLive(pod) || pod.labels?.[SKIP_POD_LABEL] !== undefined) return false;
      return mutatedContainers(pod).some((container) => !hasIrsaEnv(container));
    });
    if (affected.length === 0) return [];
    return [
      {
        message: `${affected.length} running pod(s) of ${workload.namespace}/${workload.workload} in cluster ${clusterLabel(workload.cluster)} use service account ${workload.serviceAccountName} (${ANNOTATION_ROLE_ARN}=${sa.roleArn}) but have no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE in every container: they use the node role (${listPods(affected)}).`,
        resource: { ...workloadResource(workload), roleArn: sa.roleArn },
        evidence: {
          pods: affected.slice(0, 5).map((pod) => ({ name: pod.name, startTime: pod.startTime })),
          podCount: affected.length,
        },
        ...restartRemediation(workload, 'so the webhook injects the variables'),
      },
    ];
  },
};
