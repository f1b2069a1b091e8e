/** `irsa-audit explain (--inventory FILE | --live) --cluster C --namespace N --service-account S` */
import { ExplainTargetError, explainServiceAccount } from '../../core/explain/index';
import type { Inventory } from '../../core/model';
import { EXPLAIN_FORMATS, renderExplain } from '../../report/explain-report';
import { oneOf, required, str } from '../args';
import { loadForCommand } from '../inventory-file';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../io';
import { COLLECT_OPTIONS, formatOption } from '../options';
import type { CommandSpec } from '../program';
import { collectForExplain } from './live';

export const command: CommandSpec = {
  name: 'explain',
  summary: 'walk the IRSA troubleshooting guide for one service account',
  options: [
    { flags: '-i, --inventory <file>', description: 'the inventory (- for standard input)' },
    { flags: '--live', description: 'collect what this service account needs from AWS now instead' },
    { flags: '-c, --cluster <name>', description: 'the cluster' },
    { flags: '-n, --namespace <name>', description: 'the namespace' },
    { flags: '-s, --service-account <name>', description: 'the service account' },
    { flags: '--account <id>', description: 'the cluster account (needed with --live)' },
    {
      flags: '--region <region>',
      description: 'the cluster region (with --live; default $AWS_REGION)',
      env: 'AWS_REGION',
    },
    formatOption(EXPLAIN_FORMATS, 'text'),
    ...COLLECT_OPTIONS,
  ],
  output: true,
  help: `With --live it reads the cluster's account and region and the IAM of the annotated role's
account; the collection options are those of \`irsa-audit run\`.

Runs the checks on this service account and what it depends on (its roles, the OIDC provider, its
cluster and Pod Identity association) and shows their findings by step of the AWS IRSA
troubleshooting guide, each step ✓ / ✗ / ! (findings that do not stop the pods' credentials) /
– (not applicable) / ? (not read) with the evidence and the fixes. The verdict names what the pods
get — IRSA, Pod Identity, both or neither — and whether it works.
Exit codes: 0 unless broken, 1 the pods' credentials are broken, 2 usage or input error (a cluster,
namespace or service account that does not exist: the message lists what does).`,
  async run(values, _args, { io, terminal, usage }) {
    const live = values.live === true;
    if (live && str(values, 'inventory'))
      throw new CliError('give either --inventory FILE or --live, not both');
    const target = {
      cluster: required(str(values, 'cluster'), '--cluster', usage),
      namespace: required(str(values, 'namespace'), '--namespace', usage),
      serviceAccount: required(str(values, 'service-account'), '--service-account', usage),
      accountId: str(values, 'account'),
      region: str(values, 'region'),
    };
    const format = oneOf(str(values, 'format'), EXPLAIN_FORMATS, '--format', 'text');
    let inventory: Inventory;
    if (live) {
      const accountId = required(target.accountId, '--account (the cluster account, with --live)', usage);
      const region = required(target.region ?? io.env.AWS_REGION, '--region (with --live)', usage);
      target.region = region;
      inventory = await collectForExplain({ ...target, accountId, region }, values, io);
    } else {
      inventory = await loadForCommand(
        required(str(values, 'inventory'), '--inventory FILE or --live', usage),
        io,
      );
    }
    let report: ReturnType<typeof explainServiceAccount>;
    try {
      report = explainServiceAccount(inventory, target, { onlyTargetRead: live });
    } catch (error) {
      if (error instanceof ExplainTargetError) throw new CliError(error.message, 2, { cause: error });
      throw error;
    }
    io.stdout(renderExplain(report, format, terminal.width));
    return report.verdict === 'broken' ? EXIT_FINDINGS : EXIT_OK;
  },
};
