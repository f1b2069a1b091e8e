import type { V1Container, V1OwnerReference, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Container, EnvVar, Pod, ServiceAccount } from '../core/model';

/**
 * Kubernetes objects → inventory model, keeping only what the checks read (SPEC §3). Everything else
 * (specs, statuses, managed fields, secrets references) is dropped page by page, so a large cluster
 * never sits in memory in its API form.
 */

export function serviceAccountFrom(object: V1ServiceAccount): ServiceAccount {
  return {
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    annotations: { ...(object.metadata?.annotations ?? {}) },
  };
}

export function podFrom(object: V1Pod): Pod {
  const metadata = object.metadata ?? {};
  const spec = object.spec;
  const pod: Pod = {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    // Kubernetes fills `default`; `serviceAccount` is the deprecated alias some old objects still carry.
    serviceAccountName: spec?.serviceAccountName || spec?.serviceAccount || 'default',
    containers: [
      ...(spec?.initContainers ?? []).map((container) => containerFrom(container, true)),
      ...(spec?.containers ?? []).map((container) => containerFrom(container, false)),
    ],
  };
  if (object.status?.phase) pod.phase = object.status.phase;
  if (metadata.annotations) pod.annotations = { ...metadata.annotations };
  if (metadata.labels) pod.labels = { ...metadata.labels };
  const owner = ownerOf(metadata.ownerReferences, metadata.labels);
  if (owner) pod.owner = owner;
  const startTime = isoOf(object.status?.startTime);
  if (startTime) pod.startTime = startTime;
  return pod;
}

/**
 * The workload a pod belongs to: its controller owner reference. A ReplicaSet named
 * `<deployment>-<pod-template-hash>` is a Deployment's, and findings group per Deployment.
 */
export function ownerOf(
  references: V1OwnerReference[] | undefined,
  labels: Record<string, string> | undefined,
): { kind: string; name: string } | undefined {
  const controller = references?.find((reference) => reference.controller);
  if (!controller) return undefined;
  const hash = labels?.['pod-template-hash'];
  if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: controller.name.slice(0, -(hash.length + 1)) };
  }
  return { kind: controller.kind, name: controller.name };
}

function containerFrom(container: V1Container, init: boolean): Container {
  const env: EnvVar[] = (container.env ?? []).map((variable) =>
    variable.valueFrom
      ? { name: variable.name, valueFrom: true }
      : // An env entry with neither value nor valueFrom is set to the empty string.
        { name: variable.name, value: variable.value ?? '' },
  );
  return init ? { name: container.name, init: true, env } : { name: container.name, env };
}

function isoOf(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
