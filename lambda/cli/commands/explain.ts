/** `irsa-audit explain --inventory FILE --cluster C --namespace N --service-account S [--format text|json|markdown]` */
import { COLLECT_FLAGS } from '../../collect/cli-options';
import { ExplainTargetError, explainServiceAccount } from '../../core/explain/index';
import type { Inventory } from '../../core/model';
import { EXPLAIN_FORMATS, renderExplain } from '../../report/explain-report';
import { oneOf, parse, required } from '../args';
import { loadForCommand } from '../inventory-file';
import { CliError, type CliIO, EXIT_FINDINGS, EXIT_OK } from '../io';
import { collectForExplain } from './live';

export const usage = `Usage: irsa-audit explain (--inventory FILE | --live) --cluster C --namespace N --service-account S
                          [--account ID] [--region R] [--format text|json|markdown]

  --live   collect what this service account needs from AWS now (the cluster's account and region,
           and the IAM of the annotated role's account) instead of reading a file; needs --account
           and --region (default: $AWS_REGION). Collection options as for \`irsa-audit run\`.

Runs the checks on this service account and what it depends on (its roles, the OIDC provider, its
cluster and Pod Identity association) and shows their findings by step of the AWS IRSA
troubleshooting guide, each step ✓ / ✗ / ! (findings that do not stop the pods' credentials) /
– (not applicable) / ? (not read) with the evidence. The verdict names what the pods get — IRSA,
Pod Identity, both or neither — and whether it works.
Exit code 0 unless broken, 1 when the pods' credentials are broken, 2 on usage or input errors (a
cluster, namespace or service account that does not exist: the message lists what does).`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      inventory: { type: 'string', short: 'i' },
      cluster: { type: 'string', short: 'c' },
      namespace: { type: 'string', short: 'n' },
      'service-account': { type: 'string', short: 's' },
      account: { type: 'string' },
      region: { type: 'string' },
      format: { type: 'string', short: 'f' },
      live: { type: 'boolean' },
      ...COLLECT_FLAGS,
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return EXIT_OK;
  }
  if (values.live && values.inventory) throw new CliError('give either --inventory FILE or --live, not both');
  const target = {
    cluster: required(values.cluster as string | undefined, '--cluster', usage),
    namespace: required(values.namespace as string | undefined, '--namespace', usage),
    serviceAccount: required(values['service-account'] as string | undefined, '--service-account', usage),
    accountId: values.account as string | undefined,
    region: values.region as string | undefined,
  };
  const format = oneOf(values.format as string | undefined, EXPLAIN_FORMATS, '--format', 'text');
  let inventory: Inventory;
  if (values.live) {
    const accountId = required(target.accountId, '--account (the cluster account, with --live)', usage);
    const region = required(target.region ?? io.env.AWS_REGION, '--region (with --live)', usage);
    target.region = region;
    inventory = await collectForExplain({ ...target, accountId, region }, values, io);
  } else {
    inventory = await loadForCommand(
      required(values.inventory as string | undefined, '--inventory FILE or --live', usage),
      io,
    );
  }
  let report: ReturnType<typeof explainServiceAccount>;
  try {
    report = explainServiceAccount(inventory, target, { onlyTargetRead: Boolean(values.live) });
  } catch (error) {
    if (error instanceof ExplainTargetError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  io.stdout(renderExplain(report, format));
  return report.verdict === 'broken' ? EXIT_FINDINGS : EXIT_OK;
}
