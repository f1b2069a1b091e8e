/**
 * The EKS access-entry commands that let the audit's member role read a cluster's Kubernetes API
 * (AmazonEKSViewPolicy, cluster scope: docs/deployment.md). One builder for every place that shows
 * them — the collector's unreachable reason, the `scan.cluster-unreachable` fix and `irsa-audit access` —
 * so a finding's message and its fix never show different commands.
 */

export const VIEW_POLICY_NAME = 'AmazonEKSViewPolicy';

export interface AccessEntryTarget {
  clusterName: string;
  region: string;
  /** The principal to grant: the member role ARN (the one the audit used, where known). */
  principalArn: string;
  /** `aws`, `aws-cn`, `aws-us-gov`…: the partition of the cluster-access policy ARN. */
  partition: string;
}

/** `create-access-entry` then `associate-access-policy`, each complete on its own line, values shell-quoted. */
export function accessEntryCommands(target: AccessEntryTarget): [create: string, associate: string] {
  const where = `--cluster-name ${shellQuote(target.clusterName)} --region ${shellQuote(target.region)}`;
  const principal = `--principal-arn ${shellQuote(target.principalArn)}`;
  const policyArn = `arn:${target.partition}:eks::aws:cluster-access-policy/${VIEW_POLICY_NAME}`;
  return [
    `aws eks create-access-entry ${where} ${principal} --type STANDARD`,
    `aws eks associate-access-policy ${where} ${principal} --policy-arn ${shellQuote(policyArn)} --access-scope type=cluster`,
  ];
}

/** Bare when only safe characters, otherwise single-quoted for POSIX shells. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The member role the cluster refused, as the collected data names it: the collector writes the
 * principal it authenticated as into the unreachable reason (lambda/collect/unreachable.ts), and an
 * inventory from elsewhere may name it in the reason or the coverage error. A role of the cluster's
 * account is preferred; undefined when the text names none (the grant then needs the role name).
 */
export function refusedPrincipal(text: string, accountId?: string): string | undefined {
  let first: string | undefined;
  for (const match of text.matchAll(/arn:aws[a-z-]*:iam::(\d{12}):role\/[A-Za-z0-9+=,.@_/-]+/g)) {
    const arn = match[0].replace(/[.,]+$/, '');
    if (accountId === undefined || match[1] === accountId) return arn;
    first ??= arn;
  }
  return first;
}
