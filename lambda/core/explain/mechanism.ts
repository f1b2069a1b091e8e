/**
 * Which credentials the service account's pods get. The webhook injects at pod creation only, and
 * for a service account with a Pod Identity association it injects the container-credentials
 * variables instead of the IRSA ones ("container credentials method takes precedence"), so new pods
 * get Pod Identity even when the service account is also annotated; running pods keep whatever they
 * got when they were created, which their environment shows.
 */
import { hasIrsaEnv, hasPodIdentityEnv, isLive, mutatedContainers } from '../checks/helpers';
import type { Pod } from '../model';
import type { Neighbourhood } from './neighbourhood';

export type Credentials = 'irsa' | 'pod-identity' | 'none';
export type Mechanism = 'irsa' | 'pod-identity' | 'both' | 'none' | 'unknown';

export interface RunningPod {
  name: string;
  credentials: Credentials;
}

export interface MechanismReport {
  /** What a pod created now gets; `unknown` when the Kubernetes API was not read and no association exists. */
  newPods: Credentials | 'unknown';
  /** Live pods of the service account and what each got; absent when the Kubernetes API was not read. */
  runningPods?: RunningPod[];
  /** What the pods actually get: the running pods' credentials and the new pods'. */
  effective: Mechanism;
}

/**
 * What a pod's containers got. When a container has both sets of variables the SDKs use web
 * identity first (their default credential chain), so IRSA wins there.
 */
export function podCredentials(pod: Pod): Credentials {
  const containers = mutatedContainers(pod);
  if (containers.some(hasIrsaEnv)) return 'irsa';
  if (containers.some(hasPodIdentityEnv)) return 'pod-identity';
  return 'none';
}

export function podMechanism(area: Neighbourhood): MechanismReport {
  const { cluster, namespace, serviceAccount } = area.target;
  const readable = cluster.kubernetes.status === 'ok';
  let newPods: MechanismReport['newPods'];
  if (area.association) newPods = 'pod-identity';
  else if (!readable) newPods = 'unknown';
  else newPods = area.annotatedRole ? 'irsa' : 'none';
  if (!readable) return { newPods, effective: newPods === 'unknown' ? 'unknown' : newPods };
  const runningPods = cluster.pods
    .filter((pod) => pod.namespace === namespace && pod.serviceAccountName === serviceAccount && isLive(pod))
    .map((pod) => ({ name: pod.name, credentials: podCredentials(pod) }));
  const got = new Set<Credentials>([newPods as Credentials, ...runningPods.map((pod) => pod.credentials)]);
  let effective: Mechanism = 'none';
  if (got.has('irsa') && got.has('pod-identity')) effective = 'both';
  else if (got.has('irsa')) effective = 'irsa';
  else if (got.has('pod-identity')) effective = 'pod-identity';
  return { newPods, runningPods, effective };
}

export const MECHANISM_NAMES: Record<Mechanism, string> = {
  irsa: 'IRSA',
  'pod-identity': 'Pod Identity',
  both: 'IRSA and Pod Identity',
  none: 'neither IRSA nor Pod Identity',
  unknown: 'unknown',
};
