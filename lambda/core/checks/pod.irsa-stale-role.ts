/**
 * pod.irsa-stale-role — a pod's AWS_ROLE_ARN differs from its service account's current annotation:
 * the annotation changed after the pod started and the pod still runs with the old role until it is
 * restarted.
 */
import { ANNOTATION_ROLE_ARN } from '../model';
import { ENV_ROLE_ARN } from '../workload-fields';
import { clusterLabel, isLive, listNames, restartRemediation, workloadResource } from './helpers';
import type { WorkloadCheck } from './types';

export const check: WorkloadCheck = {
  id: 'pod.irsa-stale-role',
  runsOn: 'workload',
  severity: 'medium',
  title: "Pods run with a role that differs from the service account's annotation",
  description:
    "A running pod's AWS_ROLE_ARN is not the role its service account is annotated with now: the annotation changed after the pod was created. Restart to pick up the new role.",
  remediation: 'Re-create the pods of the workload so they get the current role.',
  commands: ['kubectl rollout restart -n <ns> <kind>/<name>'],
  guideStep: 'test-pod',
  reads: ['service-accounts', 'pods'],
  run(workload) {
    const current = workload.serviceAccount?.roleArn;
    if (!current) return [];
    const stale = new Map<string, string[]>();
    for (const pod of workload.pods) {
      if (!isLive(pod)) continue;
      for (const container of pod.containers) {
        const value = container.env.find((env) => env.name === ENV_ROLE_ARN)?.value;
        if (value !== undefined && value !== current) {
          const pods = stale.get(value) ?? [];
          if (!pods.includes(pod.name)) pods.push(pod.name);
          stale.set(value, pods);
        }
      }
    }
    return [...stale.entries()].map(([oldRole, podNames]) => ({
      message: `${podNames.length} running pod(s) of ${workload.namespace}/${workload.workload} in cluster ${clusterLabel(workload.cluster)} run with AWS_ROLE_ARN=${oldRole}, but service account ${workload.serviceAccountName} is now annotated ${ANNOTATION_ROLE_ARN}=${current} (${listNames(podNames)}).`,
      resource: { ...workloadResource(workload), roleArn: current },
      evidence: {
        podRole: oldRole,
        annotation: current,
        pods: podNames.slice(0, 5),
        podCount: podNames.length,
      },
      discriminator: oldRole,
      ...restartRemediation(workload, 'so they get the current role'),
    }));
  },
};
