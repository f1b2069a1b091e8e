/**
 * The memory-lean form of an account for a run that holds a whole organization (docs/architecture.md
 * "Memory"): the Lambda modes apply it to each account as it arrives, so the model's memory grows with
 * what differs between objects, not with how many there are.
 *
 * It changes no fact. The parts that repeat across the objects of an account are made one shared
 * object: the pods of a workload share their containers (the kept variables), owner, annotations and
 * labels, and the namespace, service-account and phase strings; roles share identical trust policies and
 * policy lists. Each pod
 * keeps its own name and start time, each role its ARN. The account serializes to the same JSON, and
 * every check, message, evidence and fix is what it is on the unreduced account (test/core/reduce.test.ts),
 * so both Lambda modes and a scan of a snapshot report the same findings.
 *
 * Shared objects are never written to: the model is read-only once loaded (checks and the context only
 * read it). The tables live for one account: the shared objects outlive them, their keys do not.
 */
import type { Account, Pod, Role, ServiceAccount } from './model';

interface ShareTables {
  strings: Map<string, string>;
  /** By content (its JSON text), for the small objects and arrays that repeat. */
  objects: Map<string, unknown>;
}

/** Reduces `account` in place (see the header) and returns it. */
export function reduceAccount(account: Account): Account {
  const tables: ShareTables = { strings: new Map(), objects: new Map() };
  for (const role of account.roles) reduceRole(role, tables);
  for (const cluster of account.clusters) {
    for (const serviceAccount of cluster.serviceAccounts) reduceServiceAccount(serviceAccount, tables);
    for (const pod of cluster.pods) reducePod(pod, tables);
  }
  return account;
}

function reduceRole(role: Role, tables: ShareTables): void {
  // Identical documents become one (a snapshot or partial holds each role's document on its own).
  if (role.trustPolicy.kind === 'parsed') role.trustPolicy = shareValue(role.trustPolicy, tables);
  if (role.attachedPolicyArns) role.attachedPolicyArns = shareValue(role.attachedPolicyArns, tables);
  if (role.inlinePolicyNames) role.inlinePolicyNames = shareValue(role.inlinePolicyNames, tables);
}

function reduceServiceAccount(serviceAccount: ServiceAccount, tables: ShareTables): void {
  serviceAccount.namespace = shareString(serviceAccount.namespace, tables);
  serviceAccount.annotations = shareValue(serviceAccount.annotations, tables);
}

function reducePod(pod: Pod, tables: ShareTables): void {
  pod.namespace = shareString(pod.namespace, tables);
  pod.serviceAccountName = shareString(pod.serviceAccountName, tables);
  if (pod.phase !== undefined) pod.phase = shareString(pod.phase, tables);
  pod.containers = shareValue(pod.containers, tables);
  if (pod.annotations) pod.annotations = shareValue(pod.annotations, tables);
  if (pod.labels) pod.labels = shareValue(pod.labels, tables);
  if (pod.owner) pod.owner = shareValue(pod.owner, tables);
}

function shareString(value: string, tables: ShareTables): string {
  const shared = tables.strings.get(value);
  if (shared !== undefined) return shared;
  tables.strings.set(value, value);
  return value;
}

/**
 * One object per distinct content. The key is the JSON text, which includes key order: two objects
 * share only when they serialize alike, so the account's JSON cannot change.
 */
function shareValue<T>(value: T, tables: ShareTables): T {
  const key = JSON.stringify(value);
  const shared = tables.objects.get(key);
  if (shared !== undefined) return shared as T;
  tables.objects.set(key, value);
  return value;
}
