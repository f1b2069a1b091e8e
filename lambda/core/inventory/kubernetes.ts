/**
 * Kubernetes parts of a cluster: service accounts and pods, in our shape or as kubectl prints them
 * (single objects, or `List` / `ServiceAccountList` / `PodList`). `kubectl get sa,pods -A -o json`
 * prints ONE mixed `List`, so items are routed by `kind` into the right array whichever field they
 * were put in; other kinds are ignored with one warning per kind. The live collector converts the
 * objects it lists with the same functions (`./api-objects.ts`).
 *
 * Only what the checks read is kept (`../workload-fields.ts`, docs/collection.md "What is kept"): the
 * checked container variables, annotation values of the webhook's keys and their near-typos (other
 * annotations keep their key only), the webhook's opt-out label; and at most `OBJECT_TEXT_BUDGET`
 * characters of text per object. An object cut to that budget is reported through `Issues.capped`.
 * A parsed file's objects are minimized in place (docs/inventory.md, docs/performance.md: rebuilding
 * every pod from new objects cost more than the rest of the parse); a client's objects are copied.
 */
import type { Container, EnvVar, Pod, ServiceAccount } from '../model';
import { CHECKED_POD_LABELS, isCheckedEnvVar } from '../workload-fields';
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
    // The document is the parser's (`parseInventory`): its objects are minimized in place.
    const parsed =
      itemKind === SERVICE_ACCOUNT ? parseServiceAccount(raw, issues, true) : parsePod(raw, issues, true);
    if (itemKind === fieldKind) list[kept++] = parsed;
    else if (itemKind === SERVICE_ACCOUNT) routing.serviceAccounts.push(parsed as ServiceAccount);
    else routing.pods.push(parsed as Pod);
  }
  path.length = wrapped ? depth - 1 : depth;
  list.length = kept;
  return list;
}

/**
 * Our `{namespace, name, annotations}` or a Kubernetes ServiceAccount object, as a minimal object.
 * `inPlace`: `raw` is the parser's to change (a parsed file, not a client's object), so an object that
 * holds only kept data is kept itself, its annotations minimized in place.
 */
export function parseServiceAccount(raw: JsonObject, issues: Issues, inPlace = false): ServiceAccount {
  const metadata = raw.metadata;
  const budget = new TextBudget(inPlace);
  let serviceAccount: ServiceAccount;
  if (isObject(metadata)) {
    issues.path.push('metadata');
    serviceAccount = {
      namespace: kubernetesNamespace(metadata, issues) ?? '',
      name: requiredKubernetesName(metadata, 'name', issues) ?? '',
      annotations: keptAnnotations(optionalStringMap(metadata, 'annotations', issues), budget, issues) ?? {},
    };
    issues.path.pop();
  } else {
    if (metadata !== undefined) issues.expected('the object metadata', metadata, 'metadata');
    const namespace = requiredKubernetesName(raw, 'namespace', issues) ?? '';
    const name = requiredKubernetesName(raw, 'name', issues) ?? '';
    const annotations = keptAnnotations(optionalStringMap(raw, 'annotations', issues), budget, issues);
    serviceAccount =
      inPlace &&
      namespace === raw.namespace &&
      name === raw.name &&
      annotations !== undefined &&
      annotations === raw.annotations &&
      holdsOnly(raw, 3)
        ? (raw as unknown as ServiceAccount)
        : { namespace, name, annotations: annotations ?? {} };
  }
  if (budget.capped) issues.capped(capMessage('service account'));
  return serviceAccount;
}

/** Text kept per object (names, annotation keys and values, variables): a bounded cost per pod. */
export const OBJECT_TEXT_BUDGET = 16 * 1024;
/** A kept value longer than this is cut (IAM ARNs are at most 2,048 characters). */
export const MAX_KEPT_VALUE_LENGTH = 2048;

/**
 * What is left of one object's text budget; `capped` once something did not fit. It also carries
 * whether the object is minimized in place (`inPlace`): arrays compacted, annotation values emptied,
 * parts that hold only kept data kept themselves. A pod rebuilt from new objects costs several
 * objects that the young-generation collector copies twice; the parsed file's are in the old one
 * already (docs/performance.md).
 */
class TextBudget {
  left = OBJECT_TEXT_BUDGET;
  capped = false;

  constructor(readonly inPlace: boolean) {}

  take(length: number): boolean {
    if (length > this.left) {
      this.capped = true;
      return false;
    }
    this.left -= length;
    return true;
  }

  value(text: string): string {
    if (text.length <= MAX_KEPT_VALUE_LENGTH) return text;
    this.capped = true;
    return `${text.slice(0, MAX_KEPT_VALUE_LENGTH - 1)}…`;
  }
}

function capMessage(what: string): string {
  return (
    `the ${what} holds more than the ${OBJECT_TEXT_BUDGET / 1024} KiB of checked text the audit keeps ` +
    'per object: the rest was dropped, and the checks saw it only in part (docs/collection.md "Size caps")'
  );
}

/**
 * Annotations as kept: values of the webhook's keys and their near-typos, every other key with an
 * empty value, in their order. Values are budgeted first, so a flood of keys cannot push them out.
 * When everything fits (nearly always), one pass sums what is kept and one builds it; an object that
 * already holds only kept data is returned itself.
 */
function keptAnnotations(
  annotations: Record<string, string> | undefined,
  budget: TextBudget,
  issues: Issues,
): Record<string, string> | undefined {
  if (annotations === undefined) return undefined;
  const inPlace = budget.inPlace;
  let needed = 0;
  let asIs = inPlace || Object.getPrototypeOf(annotations) === Object.prototype;
  for (const key in annotations) {
    const value = annotations[key];
    if (typeof value !== 'string') return budgetedAnnotations(annotations, budget, issues);
    if (issues.keepsAnnotationValue(key)) {
      if (value.length > MAX_KEPT_VALUE_LENGTH) return budgetedAnnotations(annotations, budget, issues);
      needed += key.length + value.length;
    } else {
      needed += key.length;
      // In place, a value that is not kept is emptied at once: the budgeted path keeps none either.
      if (value === '') continue;
      if (inPlace) setEntry(annotations, key, '');
      else asIs = false;
    }
  }
  if (needed > budget.left) return budgetedAnnotations(annotations, budget, issues);
  budget.left -= needed;
  if (asIs) return annotations;
  const kept: Record<string, string> = {};
  for (const key in annotations)
    setEntry(kept, key, issues.keepsAnnotationValue(key) ? annotations[key] : '');
  return kept;
}

/** `keptAnnotations` when not everything fits the budget (or a value is not a string): values first. */
function budgetedAnnotations(
  annotations: Record<string, string>,
  budget: TextBudget,
  issues: Issues,
): Record<string, string> {
  const kept: Record<string, string> = {};
  let valued: Set<string> | undefined;
  for (const key in annotations) {
    const value = annotations[key];
    if (typeof value !== 'string' || !issues.keepsAnnotationValue(key)) continue;
    const text = budget.value(value);
    if (!budget.take(key.length + text.length)) continue;
    valued ??= new Set();
    valued.add(key);
    setEntry(kept, key, text);
  }
  for (const key in annotations) {
    if (valued?.has(key)) continue;
    if (typeof annotations[key] === 'string' && issues.keepsAnnotationValue(key)) continue; // did not fit
    if (budget.take(key.length)) setEntry(kept, key, '');
  }
  if (valued === undefined) return kept;
  // Back in the object's own order.
  const ordered: Record<string, string> = {};
  for (const key in annotations) if (Object.hasOwn(kept, key)) setEntry(ordered, key, kept[key]);
  return ordered;
}

/**
 * Whether `object` is a plain object with exactly `count` enumerable keys: when the caller has read
 * `count` keys of the model's shape from it, it holds nothing else and can be kept itself.
 */
function holdsOnly(object: JsonObject, count: number): boolean {
  if (Object.getPrototypeOf(object) !== Object.prototype) return false;
  let keys = 0;
  for (const _key in object) if (++keys > count) return false;
  return keys === count;
}

/** `map[key] = value` that keeps a `__proto__` key as data (it is one in JSON). */
function setEntry(map: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Labels as kept: the ones a check reads; undefined when none is set. */
function keptLabels(
  labels: Record<string, string> | undefined,
  budget: TextBudget,
): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  let kept: Record<string, string> | undefined;
  for (let i = 0; i < CHECKED_POD_LABELS.length; i++) {
    const key = CHECKED_POD_LABELS[i];
    const value = labels[key];
    if (typeof value !== 'string') continue;
    const text = budget.value(value);
    if (!budget.take(key.length + text.length)) continue;
    kept ??= {};
    setEntry(kept, key, text);
  }
  return kept;
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

/** Our pod shape or a Kubernetes Pod object, as a new minimal object (`inPlace`: `parseServiceAccount`). */
export function parsePod(raw: JsonObject, issues: Issues, inPlace = false): Pod {
  const budget = new TextBudget(inPlace);
  const pod = isObject(raw.metadata)
    ? kubernetesPod(raw, raw.metadata, issues, budget)
    : ownPod(raw, issues, budget);
  if (budget.capped) issues.capped(capMessage('pod'));
  return pod;
}

function ownPod(raw: JsonObject, issues: Issues, budget: TextBudget): Pod {
  if (raw.metadata !== undefined) issues.expected('the object metadata', raw.metadata, 'metadata');
  const namespace = requiredKubernetesName(raw, 'namespace', issues) ?? '';
  const name = requiredKubernetesName(raw, 'name', issues) ?? '';
  let serviceAccountName = 'default';
  if (raw.serviceAccountName !== undefined && raw.serviceAccountName !== null)
    serviceAccountName = requiredKubernetesName(raw, 'serviceAccountName', issues) ?? '';
  const phase = raw.phase === undefined ? undefined : optionalString(raw, 'phase', issues);
  const startTime =
    raw.startTime === undefined ? undefined : optionalString(raw, 'startTime', issues, 'a date-time string');
  let owner: Pod['owner'];
  const rawOwner = raw.owner;
  if (rawOwner !== undefined && rawOwner !== null) {
    if (isObject(rawOwner)) {
      issues.path.push('owner');
      const kind = requiredString(rawOwner, 'kind', issues);
      const ownerName = requiredString(rawOwner, 'name', issues);
      issues.path.pop();
      if (kind !== undefined && ownerName !== undefined)
        owner =
          budget.inPlace && holdsOnly(rawOwner, 2) ? (rawOwner as Pod['owner']) : { kind, name: ownerName };
    } else issues.expected('an object {"kind", "name"}', rawOwner, 'owner');
  }
  let containers: Container[] = [];
  const rawContainers = raw.containers;
  if (!Array.isArray(rawContainers)) {
    issues.expected(
      'an array of containers with their env',
      rawContainers,
      'containers',
      'the IRSA checks read AWS_ROLE_ARN from it',
    );
  } else {
    // In place: the kept containers are written over the list's first elements.
    const kept: Container[] = budget.inPlace ? (rawContainers as Container[]) : [];
    let count = 0;
    const path = issues.path;
    path.push('containers');
    const depth = path.length;
    path.push(0);
    for (let i = 0; i < rawContainers.length; i++) {
      path[depth] = i;
      const container = rawContainers[i];
      if (!isObject(container)) {
        issues.expected('a container object', container);
        continue;
      }
      const containerName = requiredString(container, 'name', issues) ?? '';
      const init = container.init;
      if (init !== undefined && init !== null && typeof init !== 'boolean') {
        issues.expected('true or false', init, 'init');
      }
      const env = parseEnv(container.env, issues, budget);
      if (!budget.take(containerName.length)) continue;
      kept[count++] =
        budget.inPlace &&
        env === container.env &&
        containerName === container.name &&
        holdsOnly(container, init === true ? 3 : 2)
          ? (container as unknown as Container)
          : init === true
            ? { name: containerName, init: true, env }
            : { name: containerName, env };
    }
    path.pop();
    path.pop();
    if (budget.inPlace) {
      if (kept.length !== count) kept.length = count;
      containers = kept;
    } else containers = exactCopy(kept);
  }
  // Annotations after the containers: the containers' variables are what the pod checks read.
  const annotations = keptAnnotations(
    raw.annotations === undefined ? undefined : optionalStringMap(raw, 'annotations', issues),
    budget,
    issues,
  );
  const labels = keptLabels(
    raw.labels === undefined ? undefined : optionalStringMap(raw, 'labels', issues),
    budget,
  );
  // The usual pod as one literal: a field added later goes to a separate property store, one more
  // object per pod for the young generation to copy.
  if (phase !== undefined && startTime !== undefined && owner !== undefined && annotations !== undefined) {
    const pod: Pod = {
      namespace,
      name,
      serviceAccountName,
      containers,
      phase,
      startTime,
      owner,
      annotations,
    };
    if (labels !== undefined) pod.labels = labels;
    return pod;
  }
  // Optional fields are only written when present, so a pod read live and one read from a file are equal.
  const pod: Pod = { namespace, name, serviceAccountName, containers };
  if (phase !== undefined) pod.phase = phase;
  if (startTime !== undefined) pod.startTime = startTime;
  if (owner !== undefined) pod.owner = owner;
  if (annotations !== undefined) pod.annotations = annotations;
  if (labels !== undefined) pod.labels = labels;
  return pod;
}

/**
 * Container env, our shape or Kubernetes', as new plain entries of the checked variables only:
 * `valueFrom` (an object in Kubernetes) becomes `true`; an entry with neither `value` nor `valueFrom`
 * has the empty value, as in Kubernetes. Every entry is validated, kept or not.
 */
function parseEnv(value: unknown, issues: Issues, budget: TextBudget): EnvVar[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    issues.expected('an array of {"name", "value"} entries', value, 'env');
    return [];
  }
  // In place: the kept entries are written over the list's first elements.
  let kept: EnvVar[] | undefined = budget.inPlace ? (value as EnvVar[]) : undefined;
  let count = 0;
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
    const name = requiredString(entry, 'name', issues);
    const valueFrom = entry.valueFrom;
    let fromSource = false;
    let text = '';
    if (valueFrom !== undefined && valueFrom !== null && valueFrom !== false) {
      if (isObject(valueFrom) || valueFrom === true) fromSource = true;
      else issues.expected('an object (Kubernetes) or true', valueFrom, 'valueFrom');
    } else {
      const raw = entry.value;
      if (typeof raw === 'string') text = raw;
      else if (raw !== undefined && raw !== null) issues.expected('a string', raw, 'value');
    }
    if (name === undefined || !isCheckedEnvVar(name)) continue;
    let out: EnvVar | undefined;
    if (fromSource) {
      if (budget.take(name.length))
        out =
          budget.inPlace && valueFrom === true && holdsOnly(entry, 2)
            ? (entry as unknown as EnvVar)
            : { name, valueFrom: true };
    } else {
      const keptValue = budget.value(text);
      if (budget.take(name.length + keptValue.length))
        out =
          budget.inPlace && keptValue === entry.value && holdsOnly(entry, 2)
            ? (entry as unknown as EnvVar)
            : { name, value: keptValue };
    }
    if (out === undefined) continue;
    if (kept === undefined) kept = [out];
    else kept[count] = out;
    count++;
  }
  path.pop();
  path.pop();
  if (kept === undefined) return [];
  if (budget.inPlace) {
    if (kept.length !== count) kept.length = count;
    return kept;
  }
  return exactCopy(kept);
}

/**
 * `list` without spare capacity. An array grown by `push` reserves 16 slots; the inventory retains a
 * few arrays per pod, hundreds of thousands of pods, and every retained byte is copied by the young
 * generation's collector (docs/performance.md). The grown array is left as short-lived garbage.
 */
function exactCopy<T>(list: T[]): T[] {
  return list.slice();
}

function kubernetesPod(raw: JsonObject, metadata: JsonObject, issues: Issues, budget: TextBudget): Pod {
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
      } else addContainers(spec.initContainers, 'initContainers', true, containers, issues, budget);
    }
    if (!Array.isArray(spec.containers))
      issues.expected('an array of containers', spec.containers, 'containers');
    else addContainers(spec.containers, 'containers', false, containers, issues, budget);
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
  const pod: Pod = { namespace, name, serviceAccountName, containers: exactCopy(containers) };
  if (phase !== undefined) pod.phase = phase;
  // After the containers: their variables are what the pod checks read.
  const keptAnnotationMap = keptAnnotations(annotations, budget, issues);
  if (keptAnnotationMap !== undefined) pod.annotations = keptAnnotationMap;
  const keptLabelMap = keptLabels(labels, budget);
  if (keptLabelMap !== undefined) pod.labels = keptLabelMap;
  if (owner !== undefined) pod.owner = owner;
  if (startTime !== undefined) pod.startTime = startTime;
  return pod;
}

function addContainers(
  list: unknown[],
  key: string,
  init: boolean,
  out: Container[],
  issues: Issues,
  budget: TextBudget,
): void {
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
    const env = parseEnv(raw.env, issues, budget);
    if (!budget.take(name.length)) continue;
    out.push(init ? { name, init: true, env } : { name, env });
  }
  path.pop();
  path.pop();
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
