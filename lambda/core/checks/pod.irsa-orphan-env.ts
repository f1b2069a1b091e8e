/**
 * pod.irsa-orphan-env — a pod carries IRSA variables but its service account is no longer annotated
 * (annotation removed, by a Helm upgrade for example). The pod keeps the role until re-created; the
 * next rollout silently switches it to the node role.
 */

import { ENV_ROLE_ARN } from '../workload-fields';
import { clusterLabel, isLive, listPods, workloadResource } from './helpers';
import type { WorkloadCheck } from './types';

export const check: WorkloadCheck = {
  id: 'pod.irsa-orphan-env',
  runsOn: 'workload',
  severity: 'low',
  title: 'Pods carry IRSA variables but the service account is not annotated',
  description:
    'Running pods have AWS_ROLE_ARN, but their service account no longer has the role-arn annotation: they keep the old role until the next restart, then fall back to the node role.',
  remediation:
    'Re-add the annotation if the workload needs the role; otherwise restart the pods to drop the variables.',
  guideStep: 'test-pod',
  reads: ['service-accounts', 'pods'],
  run(workload) {
    if (workload.serviceAccount?.roleArn) return [];
    const carriers = workload.pods.filter(
      (pod) =>
        isLive(pod) &&
        pod.containers.some((container) => container.env.some((env) => env.name === ENV_ROLE_ARN)),
    );
    if (carriers.length === 0) return [];
    const roles = [
      ...new Set(
        carriers.flatMap((pod) =>
          pod.containers.flatMap((c) =>
            c.env.filter((e) => e.name === ENV_ROLE_ARN).map((e) => e.value ?? '(valueFrom)'),
          ),
        ),
      ),
    ];
    return [
      {
        message: `${carriers.length} running pod(s) of ${workload.namespace}/${workload.workload} in cluster ${clusterLabel(workload.cluster)} carry AWS_ROLE_ARN=${roles.join(', ')}, but service account ${workload.serviceAccountName} ${workload.serviceAccount ? 'is not annotated' : 'does not exist'}; unless the workload spec sets these variables itself, the next restart drops the role (${listPods(carriers)}).`,
        resource: workloadResource(workload),
        evidence: {
          podRoles: roles,
          pods: carriers.slice(0, 5).map((pod) => pod.name),
          podCount: carriers.length,
        },
      },
    ];
  },
};
