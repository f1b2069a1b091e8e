/**
 * Kubernetes parts of a cluster: service accounts and pods, in our shape or as kubectl prints them
 * (single objects, or `List` / `ServiceAccountList` / `PodList`). `kubectl get sa,pods -A -o json`
 * prints ONE mixed `List`, so items are routed by `kind` into the right array whichever field they
 * were put in; other kinds are ignored with one warning per kind. The live collector converts the
 * objects it lists with the same functions (`./api-objects.ts`).
 */
import type { Container, EnvVar, Pod, ServiceAccount } from '../model';
import {
  isKubernetesName,
  isObject,
  type JsonObject,
  KUBERNETES_NAME_EXPECTED,
  optionalString,
  optionalStringMap,
  optionalTimestamp,
  requiredKubernetesName,
  requiredString,
} from './fields';
import type { Issues } from './issues';

export type WorkloadField = 'serviceAccounts' | 'pods';

/** Items found in the other field than their kind belongs to, and kinds that were ignored. */
export interface Routing {
  serviceAccounts: ServiceAccount[];
  pods: Pod[];
  ignoredKinds: Map<string, number>;
}

const SERVICE_ACCOUNT = 0;
const POD = 1;

/**
 * Parses `cluster[field]`. Items of the field's own kind are normalised into the same array (compacted
 * in place, no copy); items of the other kind go to `routing`. Returns undefined when the field is absent.
 */
export function parseWorkloadField(
  value: unknown,
  field: WorkloadField,
  issues: Issues,
  routing: Routing,
): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  const fieldKind = field === 'serviceAccounts' ? SERVICE_ACCOUNT : POD;
  const path = issues.path;
  let list: unknown[];
  let listKind = fieldKind;
  let wrapped = false;
  if (Array.isArray(value)) list = value;
  else if (isObject(value) && Array.isArray(value.items)) {
    const kind = value.kind;
    if (kind === 'ServiceAccountList') listKind = SERVICE_ACCOUNT;
    else if (kind === 'PodList') listKind = POD;
    else if (typeof kind === 'string' && kind !== 'List' && kind.endsWith('List')) {
      issues.warn(`ignored a ${kind}: only ServiceAccount and Pod objects are read`);
      return [];
    }
    list = value.items;
    wrapped = true;
    path.push('items');
  } else {
    issues.expected(
      `an array of ${field === 'serviceAccounts' ? 'service accounts' : 'pods'}, or a Kubernetes List ` +
        '(`kubectl get … -o json`)',
      value,
    );
    return [];
  }
  const depth = path.length;
  path.push(0);
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    path[depth] = i;
    const raw = list[i];
    if (!isObject(raw)) {
      issues.expected(fieldKind === SERVICE_ACCOUNT ? 'a service account object' : 'a pod object', raw);
      continue;
    }
    const kind = raw.kind;
    let itemKind: number;
    if (kind === undefined || kind === null) itemKind = listKind;
    else if (kind === 'ServiceAccount') itemKind = SERVICE_ACCOUNT;
    else if (kind === 'Pod') itemKind = POD;
    else if (typeof kind === 'string') {
      routing.ignoredKinds.set(kind, (routing.ignoredKinds.get(kind) ?? 0) + 1);
      continue;
    } else {
      issues.expected('a Kubernetes kind string', kind, 'kind');
      continue;
    }
    const parsed = itemKind === SERVICE_ACCOUNT ? parseServiceAccount(raw, issues) : parsePod(raw, issues);
    if (itemKind === fieldKind) list[kept++] = parsed;
    else if (itemKind === SERVICE_ACCOUNT) routing.serviceAccounts.push(parsed as ServiceAccount);
    else routing.pods.push(parsed as Pod);
  }
  path.length = wrapped ? depth - 1 : depth;
  list.length = kept;
  return list;
}

/** Our `{namespace, name, annotations}` (validated in place) or a Kubernetes ServiceAccount object. */
export function parseServiceAccount(raw: JsonObject, issues: Issues): ServiceAccount {
  const metadata = raw.metadata;
  if (isObject(metadata)) {
    issues.path.push('metadata');
    const serviceAccount: ServiceAccount = {
      namespace: kubernetesNamespace(metadata, issues) ?? '',
      name: requiredKubernetesName(metadata, 'name', issues) ?? '',
      annotations: optionalStringMap(metadata, 'annotations', issues) ?? {},
    };
    issues.path.pop();
    return serviceAccount;
  }
  if (metadata !== undefined) issues.expected('the object metadata', metadata, 'metadata');
  requiredKubernetesName(raw, 'namespace', issues);
  requiredKubernetesName(raw, 'name', issues);
  raw.annotations = optionalStringMap(raw, 'annotations', issues) ?? {};
  return raw as unknown as ServiceAccount;
}

function kubernetesNamespace(metadata: JsonObject, issues: Issues): string | undefined {
  const value = metadata.namespace;
  if (isKubernetesName(value)) return value;
  issues.expected(
    KUBERNETES_NAME_EXPECTED,
    value,
    'namespace',
    value === undefined ? 'kubectl prints it with `-A` or `-n <namespace>`' : undefined,
  );
  return undefined;
}

/** Our pod shape (validated in place) or a Kubernetes Pod object. */
export function parsePod(raw: JsonObject, issues: Issues): Pod {
  if (isObject(raw.metadata)) return kubernetesPod(raw, raw.metadata, issues);
  if (raw.metadata !== undefined) issues.expected('the object metadata', raw.metadata, 'metadata');
  requiredKubernetesName(raw, 'namespace', issues);
  requiredKubernetesName(raw, 'name', issues);
  if (raw.serviceAccountName === undefined || raw.serviceAccountName === null)
    raw.serviceAccountName = 'default';
  else requiredKubernetesName(raw, 'serviceAccountName', issues);
  // Optional fields are only written when present, so valid pods keep their object shape.
  if (raw.phase !== undefined) raw.phase = optionalString(raw, 'phase', issues);
  if (raw.startTime !== undefined)
    raw.startTime = optionalString(raw, 'startTime', issues, 'a date-time string');
  if (raw.annotations !== undefined) raw.annotations = optionalStringMap(raw, 'annotations', issues);
  if (raw.labels !== undefined) raw.labels = optionalStringMap(raw, 'labels', issues);
  const owner = raw.owner;
  if (owner === null) raw.owner = undefined;
  else if (owner !== undefined) {
    if (isObject(owner)) {
      issues.path.push('owner');
      requiredString(owner, 'kind', issues);
      requiredString(owner, 'name', issues);
      issues.path.pop();
    } else issues.expected('an object {"kind", "name"}', owner, 'owner');
  }
  const containers = raw.containers;
  if (!Array.isArray(containers)) {
    issues.expected(
      'an array of containers with their env',
      containers,
      'containers',
      'the IRSA checks read AWS_ROLE_ARN from it',
    );
    return raw as unknown as Pod;
  }
  const path = issues.path;
  path.push('containers');
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < containers.length; i++) {
    path[depth] = i;
    const container = containers[i];
    if (!isObject(container)) {
      issues.expected('a container object', container);
      continue;
    }
    requiredString(container, 'name', issues);
    const init = container.init;
    if (init !== undefined && init !== null && typeof init !== 'boolean') {
      issues.expected('true or false', init, 'init');
    }
    container.env = parseEnv(container.env, issues);
  }
  path.pop();
  path.pop();
  return raw as unknown as Pod;
}

/**
 * Container env, our shape or Kubernetes', normalised in place (`copy`: entries replaced by new plain
 * ones): `valueFrom` (an object in Kubernetes) becomes `true`; an entry with neither `value` nor
 * `valueFrom` has the empty value, as in Kubernetes.
 */
function parseEnv(value: unknown, issues: Issues, copy = false): EnvVar[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.expected('an array of {"name", "value"} entries', value, 'env');
    return [];
  }
  const path = issues.path;
  path.push('env');
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < value.length; i++) {
    path[depth] = i;
    const entry = value[i];
    if (!isObject(entry)) {
      issues.expected('an object {"name", "value"}', entry);
      continue;
    }
    requiredString(entry, 'name', issues);
    const valueFrom = entry.valueFrom;
    if (valueFrom !== undefined && valueFrom !== null && valueFrom !== false) {
      if (isObject(valueFrom) || valueFrom === true) entry.valueFrom = true;
      else issues.expected('an object (Kubernetes) or true', valueFrom, 'valueFrom');
    } else {
      if (valueFrom !== undefined) entry.valueFrom = undefined;
      const text = entry.value;
      if (text === undefined || text === null) entry.value = '';
      else if (typeof text !== 'string') issues.expected('a string', text, 'value');
    }
    if (copy) {
      value[i] =
        entry.valueFrom === true
          ? { name: entry.name, valueFrom: true }
          : { name: entry.name, value: entry.value };
    }
  }
  path.pop();
  path.pop();
  return value as EnvVar[];
}

function kubernetesPod(raw: JsonObject, metadata: JsonObject, issues: Issues): Pod {
  const path = issues.path;
  path.push('metadata');
  const namespace = kubernetesNamespace(metadata, issues) ?? '';
  const name = requiredKubernetesName(metadata, 'name', issues) ?? '';
  const annotations = optionalStringMap(metadata, 'annotations', issues);
  const labels = optionalStringMap(metadata, 'labels', issues);
  const owner = workloadOwner(metadata.ownerReferences, labels, issues);
  path.pop();

  let serviceAccountName = 'default';
  const containers: Container[] = [];
  const spec = raw.spec;
  if (isObject(spec)) {
    path.push('spec');
    // `serviceAccount` is the deprecated alias; the API server fills both.
    const key = spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount';
    if (spec[key] !== undefined && spec[key] !== null)
      serviceAccountName = requiredKubernetesName(spec, key, issues) ?? '';
    // Init containers first: the order the kubelet runs them in.
    if (spec.initContainers !== undefined && spec.initContainers !== null) {
      if (!Array.isArray(spec.initContainers)) {
        issues.expected('an array of containers', spec.initContainers, 'initContainers');
      } else addContainers(spec.initContainers, 'initContainers', true, containers, issues);
    }
    if (!Array.isArray(spec.containers))
      issues.expected('an array of containers', spec.containers, 'containers');
    else addContainers(spec.containers, 'containers', false, containers, issues);
    path.pop();
  } else {
    issues.expected('the pod spec (an object with containers)', spec, 'spec');
  }

  let phase: string | undefined;
  let startTime: string | undefined;
  const status = raw.status;
  if (isObject(status)) {
    path.push('status');
    phase = optionalString(status, 'phase', issues);
    startTime = optionalTimestamp(status, 'startTime', issues);
    path.pop();
  } else if (status !== undefined && status !== null) {
    issues.expected('the pod status object', status, 'status');
  }
  // Absent fields stay absent (not `undefined`), so a pod read live and one read from a file are equal.
  const pod: Pod = { namespace, name, serviceAccountName, containers };
  if (phase !== undefined) pod.phase = phase;
  if (annotations !== undefined) pod.annotations = annotations;
  if (labels !== undefined) pod.labels = labels;
  if (owner !== undefined) pod.owner = owner;
  if (startTime !== undefined) pod.startTime = startTime;
  return pod;
}

function addContainers(list: unknown[], key: string, init: boolean, out: Container[], issues: Issues): void {
  const path = issues.path;
  path.push(key);
  const depth = path.length;
  path.push(0);
  for (let i = 0; i < list.length; i++) {
    path[depth] = i;
    const raw = list[i];
    if (!isObject(raw)) {
      issues.expected('a container object', raw);
      continue;
    }
    const name = requiredString(raw, 'name', issues) ?? '';
    // Plain entries with the model's keys only (client objects are class instances).
    const env = parseEnv(raw.env, issues, true);
    out.push(init ? { name, init: true, env } : { name, env });
  }
  path.length = depth - 1;
}

/**
 * The workload a pod belongs to: its controller owner reference (`controller: true`), the object that
 * manages it. Other owner references only tie the pod's lifetime to an object for garbage collection,
 * even when there is just one: such a pod is reported as a bare pod (docs/inventory.md). A ReplicaSet
 * named `<deployment>-<pod-template-hash>` is reported as that Deployment (what people recognise).
 */
function workloadOwner(
  value: unknown,
  labels: Record<string, string> | undefined,
  issues: Issues,
): { kind: string; name: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.expected('an array of owner references', value, 'ownerReferences');
    return undefined;
  }
  let index = -1;
  for (let i = 0; i < value.length; i++) {
    const ref = value[i];
    if (isObject(ref) && ref.controller === true) {
      index = i;
      break;
    }
  }
  if (index === -1) return undefined;
  const ref = value[index] as JsonObject;
  issues.path.push('ownerReferences', index);
  const kind = requiredString(ref, 'kind', issues);
  const name = requiredString(ref, 'name', issues);
  issues.path.length -= 2;
  if (kind === undefined || name === undefined) return undefined;
  const hash = labels?.['pod-template-hash'];
  if (kind === 'ReplicaSet' && hash && name.length > hash.length + 1 && name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: name.slice(0, name.length - hash.length - 1) };
  }
  return { kind, name };
}
