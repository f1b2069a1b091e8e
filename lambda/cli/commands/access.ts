/**
 * `irsa-audit access`: prints the EKS access-entry commands that let the member role read every cluster
 * the last run could not read (SPEC §7: AmazonEKSViewPolicy, cluster scope). It only prints: creating
 * access entries needs write access to each cluster, which the read-only audit never has.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, required } from '../args';
import { CliError, type CliIO, EXIT_OK } from '../io';

export interface UnreadableCluster {
  accountId: string;
  region: string;
  name: string;
  /** Why the run could not read it (from the inventory's `kubernetes.reason`). */
  reason: string;
  /** `aws`, `aws-cn`, `aws-us-gov`…; overrides the partition argument for this cluster. */
  partition?: string;
}

export const VIEW_POLICY_NAME = 'AmazonEKSViewPolicy';

import { DEFAULT_MEMBER_ROLE_NAME } from '../../collect/options';

export { DEFAULT_MEMBER_ROLE_NAME };

export const usage = `Usage: irsa-audit access --inventory FILE [--member-role-name NAME] [--partition aws]

Prints the aws eks commands that grant the member role ${VIEW_POLICY_NAME} (cluster scope) on every
cluster of FILE whose kubernetes.status is "unreachable" (the clusters the last run could not read).
  --inventory FILE          an inventory (irsa-audit snapshot output; SPEC §3 format)
  --member-role-name NAME   the audit's member role (default: $MEMBER_ROLE_NAME, then ${DEFAULT_MEMBER_ROLE_NAME})
  --partition P             partition for clusters whose ARN does not say (default: aws)

Run the printed commands with credentials for each cluster's account. Exit codes: 0, 2 usage or input error.`;

/**
 * The shell commands, one commented block per cluster (sorted, duplicates removed), or '' when there is
 * no cluster. Every value is shell-quoted and the reason is flattened into a comment, so an inventory
 * cannot smuggle a command into the output.
 */
export function renderAccessCommands(
  clusters: readonly UnreadableCluster[],
  memberRoleName: string,
  partition = 'aws',
): string {
  const unique = new Map<string, UnreadableCluster>();
  for (const cluster of clusters)
    unique.set(`${cluster.accountId}\u0000${cluster.region}\u0000${cluster.name}`, cluster);
  const sorted = [...unique.values()].sort(
    (a, b) => compare(a.accountId, b.accountId) || compare(a.region, b.region) || compare(a.name, b.name),
  );
  if (sorted.length === 0) return '';

  const lines = [
    `# irsa-auditor: grant the member role read access to ${sorted.length} cluster${sorted.length === 1 ? '' : 's'} the last run could not read.`,
    "# Run each block with credentials for the cluster's account, as a principal allowed to manage EKS access entries.",
    '# The cluster must accept access entries (authentication mode API or API_AND_CONFIG_MAP); if it is CONFIG_MAP,',
    '# first: aws eks update-cluster-config --name CLUSTER --region REGION --access-config authenticationMode=API_AND_CONFIG_MAP',
    '# create-access-entry fails with ResourceInUseException when the entry exists already; the association still applies.',
    '# An unreachable private endpoint is a network problem that no access entry fixes: check the reason first.',
  ];
  for (const cluster of sorted) {
    const clusterPartition = cluster.partition ?? partition;
    const principalArn = `arn:${clusterPartition}:iam::${cluster.accountId}:role/${memberRoleName}`;
    const policyArn = `arn:${clusterPartition}:eks::aws:cluster-access-policy/${VIEW_POLICY_NAME}`;
    const target = `--cluster-name ${shellQuote(cluster.name)} --region ${shellQuote(cluster.region)}`;
    lines.push(
      '',
      `# ${oneLine(`${cluster.accountId} ${cluster.region} ${cluster.name}: ${cluster.reason}`)}`,
      `aws eks create-access-entry ${target} --principal-arn ${shellQuote(principalArn)} --type STANDARD`,
      `aws eks associate-access-policy ${target} --principal-arn ${shellQuote(principalArn)} --policy-arn ${shellQuote(policyArn)} --access-scope type=cluster`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `irsa-audit access …`; returns the exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      inventory: { type: 'string', short: 'i' },
      'member-role-name': { type: 'string' },
      partition: { type: 'string' },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return EXIT_OK;
  }
  const inventory = required(values.inventory as string | undefined, '--inventory FILE', usage);
  const memberRoleName =
    (values['member-role-name'] as string | undefined) ?? io.env.MEMBER_ROLE_NAME ?? DEFAULT_MEMBER_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(memberRoleName)) {
    throw new CliError(`--member-role-name: ${JSON.stringify(memberRoleName)} is not an IAM role name`);
  }
  const partition = (values.partition as string | undefined) ?? 'aws';
  if (!/^aws(-[a-z]+)*$/.test(partition)) {
    throw new CliError(
      `--partition: ${JSON.stringify(partition)} is not an AWS partition (aws, aws-cn, aws-us-gov…)`,
    );
  }

  const commands = renderAccessCommands(readUnreadableClusters(inventory, io.cwd), memberRoleName, partition);
  if (commands === '') {
    io.stderr(`No cluster in ${inventory} has kubernetes.status "unreachable": nothing to grant.\n`);
    return EXIT_OK;
  }
  io.stdout(commands);
  return EXIT_OK;
}

/** Walks `accounts[].clusters[]` of an inventory file (SPEC §3) for `kubernetes.status: unreachable`. */
function readUnreadableClusters(file: string, cwd: string): UnreadableCluster[] {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(
      `${file}: cannot read the inventory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      2,
      {
        cause: error,
      },
    );
  }
  let inventory: unknown;
  try {
    inventory = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`, 2, { cause: error });
  }

  function fail(jsonPath: string, expected: string): never {
    throw new CliError(`${file}: ${jsonPath}: expected ${expected}`);
  }
  const accounts = isObject(inventory) ? inventory.accounts : undefined;
  if (!Array.isArray(accounts)) fail('$.accounts', 'an array of accounts');

  const found: UnreadableCluster[] = [];
  for (const [accountIndex, account] of accounts.entries()) {
    const accountPath = `$.accounts[${accountIndex}]`;
    if (!isObject(account)) fail(accountPath, 'an object');
    const clusters = account.clusters ?? [];
    if (!Array.isArray(clusters)) fail(`${accountPath}.clusters`, 'an array');
    for (const [clusterIndex, cluster] of (clusters as unknown[]).entries()) {
      const clusterPath = `${accountPath}.clusters[${clusterIndex}]`;
      if (!isObject(cluster)) fail(clusterPath, 'an object');
      const kubernetes = cluster.kubernetes;
      if (!isObject(kubernetes) || kubernetes.status !== 'unreachable') continue;
      const accountId = account.accountId;
      if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
        fail(`${accountPath}.accountId`, 'a 12-digit account id');
      }
      const { name, region } = cluster;
      if (typeof name !== 'string' || !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name)) {
        fail(`${clusterPath}.name`, 'an EKS cluster name');
      }
      if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
        fail(`${clusterPath}.region`, 'an AWS region code');
      }
      found.push({
        accountId,
        region,
        name,
        reason:
          typeof kubernetes.reason === 'string' && kubernetes.reason !== ''
            ? kubernetes.reason
            : 'no reason recorded',
        partition: partitionOf(account, cluster),
      });
    }
  }
  return found;
}

function partitionOf(account: Record<string, unknown>, cluster: Record<string, unknown>): string | undefined {
  if (typeof account.partition === 'string' && /^aws(-[a-z]+)*$/.test(account.partition))
    return account.partition;
  const fromArn =
    typeof cluster.arn === 'string' ? /^arn:(aws(?:-[a-z]+)*):eks:/.exec(cluster.arn)?.[1] : undefined;
  return fromArn;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bare when only safe characters, otherwise single-quoted for POSIX shells. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
