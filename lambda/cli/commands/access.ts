/**
 * `irsa-audit access`: prints the EKS access-entry commands that let the member role read every cluster
 * the last run could not read (docs/deployment.md "Granting cluster access": AmazonEKSViewPolicy, cluster scope). It only prints: creating
 * access entries needs write access to each cluster, which the read-only audit never has.
 */
import { DEFAULT_MEMBER_ROLE_NAME } from '../../collect/options';
import { accessEntryCommands, refusedPrincipal, VIEW_POLICY_NAME } from '../../core/access-entry';
import { partitionOfArn } from '../../core/arn';
import { show } from '../../settings/read';
import { SETTINGS } from '../../settings/settings';
import { queryFindings } from '../../store/queries';
import { required, str, type Values } from '../args';
import { loadForCommand } from '../inventory-file';
import { CliError, type CliIO, EXIT_OK } from '../io';
import { type CommandSpec, runArgv } from '../program';
import { openStore, STORE_OPTIONS } from '../store-options';

export interface UnreadableCluster {
  accountId: string;
  region: string;
  name: string;
  /** Why the run could not read it (from the inventory's `kubernetes.reason`). */
  reason: string;
  /** `aws`, `aws-cn`, `aws-us-gov`…; overrides the partition argument for this cluster. */
  partition?: string;
  /** The member role the cluster refused, when the collected data names it (core/access-entry `refusedPrincipal`). */
  principalArn?: string;
}

export const command: CommandSpec = {
  name: 'access',
  usage: '(--inventory FILE | --table TABLE | --demo) [options]',
  summary: 'print the EKS access-entry commands for clusters the audit could not read',
  options: [
    {
      flags: '-i, --inventory <file>',
      description: 'an inventory (irsa-audit snapshot output; - for standard input)',
    },
    {
      flags: '--member-role-name <name>',
      description: `the audit's member role, overriding the role the collected data names as refused (for clusters whose data names none: $MEMBER_ROLE_NAME, then ${DEFAULT_MEMBER_ROLE_NAME})`,
      env: SETTINGS.memberRoleName.cliEnv,
    },
    {
      flags: '--partition <partition>',
      description: 'partition for clusters whose ARN does not say (default: aws)',
    },
    ...Object.values(STORE_OPTIONS),
  ],
  output: true,
  help: `Prints the aws eks commands that grant the member role ${VIEW_POLICY_NAME} (cluster scope) on every
cluster the audit could not read: the clusters of FILE whose kubernetes.status is "unreachable", or,
from the results table (--table or --demo), the clusters with an open scan.cluster-unreachable
finding (the last run's). Each cluster's commands grant the member role the collected data names as
refused; --member-role-name overrides it. Run the printed commands with credentials for each
cluster's account. Exit codes: 0, 2 usage or input error.`,
  run: runAccess,
};

/** `irsa-audit access …` on its own arguments; returns the exit code. */
export function run(argv: string[], io: CliIO): Promise<number> {
  return runArgv(command, argv, io);
}

/**
 * The shell commands, one commented block per cluster (sorted, duplicates removed), or '' when there is
 * no cluster. Every value is shell-quoted and the reason is flattened into a comment, so an inventory
 * cannot smuggle a command into the output.
 */
export function renderAccessCommands(
  clusters: readonly UnreadableCluster[],
  memberRoleName: string,
  partition = 'aws',
  /** The role name was given explicitly: it wins over the principal the collected data names. */
  explicitRoleName = false,
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
    const principalArn =
      (!explicitRoleName && cluster.principalArn) ||
      `arn:${clusterPartition}:iam::${cluster.accountId}:role/${memberRoleName}`;
    lines.push(
      '',
      `# ${oneLine(`${cluster.accountId} ${cluster.region} ${cluster.name}: ${cluster.reason}`)}`,
      ...accessEntryCommands({
        clusterName: cluster.name,
        region: cluster.region,
        principalArn,
        partition: clusterPartition,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function runAccess(
  values: Values,
  _args: string[],
  { io, usage }: { io: CliIO; usage: string },
): Promise<number> {
  const fromStore = Boolean(values.table || values.demo);
  if (fromStore && values.inventory) {
    throw new CliError('give either --inventory FILE or a results table, not both');
  }
  const source = fromStore
    ? 'the results table'
    : required(str(values, 'inventory'), '--inventory FILE (or --table / --demo)', usage);
  const explicitRoleName = str(values, 'member-role-name');
  const memberRoleName =
    explicitRoleName ?? io.env[SETTINGS.memberRoleName.cliEnv] ?? DEFAULT_MEMBER_ROLE_NAME;
  const roleNameExpected = SETTINGS.memberRoleName.validate(memberRoleName);
  if (roleNameExpected) {
    throw new CliError(`--member-role-name: ${show(memberRoleName)} is not ${roleNameExpected}`);
  }
  const partition = str(values, 'partition') ?? 'aws';
  if (!/^aws(-[a-z]+)*$/.test(partition)) {
    throw new CliError(
      `--partition: ${JSON.stringify(partition)} is not an AWS partition (aws, aws-cn, aws-us-gov…)`,
    );
  }

  const clusters = fromStore ? await clustersFromStore(values, io) : await clustersFromInventory(source, io);
  const commands = renderAccessCommands(clusters, memberRoleName, partition, explicitRoleName !== undefined);
  if (commands === '') {
    io.stderr(`No cluster in ${source} is unreadable: nothing to grant.\n`);
    return EXIT_OK;
  }
  io.stdout(commands);
  return EXIT_OK;
}

/** The clusters of an inventory file (loaded and validated as `scan` does) whose API was unreachable. */
async function clustersFromInventory(file: string, io: CliIO): Promise<UnreadableCluster[]> {
  const inventory = await loadForCommand(file, io);
  return inventory.accounts.flatMap((account) =>
    account.clusters.flatMap((cluster) =>
      cluster.kubernetes.status === 'unreachable'
        ? [
            {
              accountId: account.accountId,
              region: cluster.region,
              name: cluster.name,
              reason: cluster.kubernetes.reason || 'no reason recorded',
              partition: account.partition ?? (cluster.arn ? partitionOfArn(cluster.arn) : undefined),
              principalArn: refusedPrincipal(
                [
                  cluster.kubernetes.reason,
                  ...account.errors
                    .filter((error) => error.scope === 'cluster' && error.cluster === cluster.name)
                    .map((error) => error.message),
                ].join(' '),
                account.accountId,
              ),
            },
          ]
        : [],
    ),
  );
}

/** The clusters with an open `scan.cluster-unreachable` finding: what the last run could not read. */
async function clustersFromStore(values: Values, io: CliIO): Promise<UnreadableCluster[]> {
  const opened = await openStore(values, io);
  try {
    const result = await queryFindings(
      opened.store,
      { status: 'open', checkId: 'scan.cluster-unreachable' },
      { all: true },
      new Date(),
    );
    return result.findings.flatMap((finding) => {
      const { accountId, region, cluster } = finding.resource;
      if (!region || !cluster) return [];
      // The finding's message quotes the collected reason, which names the refused role.
      const principalArn = refusedPrincipal(finding.message, accountId);
      return [
        {
          accountId,
          region,
          name: cluster,
          reason: finding.message,
          ...(principalArn ? { principalArn } : {}),
        },
      ];
    });
  } finally {
    await opened.close();
  }
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
