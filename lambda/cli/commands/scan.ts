/** `irsa-audit scan --inventory FILE [--format table|json|markdown] [--fail-on SEVERITY]` */
import { CHECKS } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import { SEVERITIES, type Severity } from '../../core/model';
import { meetsFailOn, REPORT_FORMATS, renderScan } from '../../report/scan-report';
import { oneOf, parse, required } from '../args';
import { loadForCommand } from '../inventory-file';
import { type CliIO, EXIT_FINDINGS, EXIT_OK } from '../io';
import {
  SUPPRESSION_FLAGS,
  SUPPRESSION_FLAGS_HELP,
  suppressForCommand,
  suppressionsFor,
} from '../suppressions-options';

export const usage = `Usage: irsa-audit scan --inventory FILE [--format table|json|markdown] [--fail-on SEVERITY]
                       [--suppressions FILE | --no-suppressions] [--show-suppressed]

Audits an inventory file offline (format: docs/inventory.md).
  --inventory FILE   the inventory (irsa-audit snapshot output, or assembled from AWS CLI / kubectl exports)
  --format FORMAT    table (default), json (docs/output.md) or markdown
  --fail-on SEV      exit 1 when a finding at or above SEV exists (critical, high, medium, low, info);
                     suppressed findings do not count
${SUPPRESSION_FLAGS_HELP}

Exit codes: 0 no finding at/above --fail-on, 1 --fail-on met, 2 usage or input error.`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      inventory: { type: 'string', short: 'i' },
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      ...SUPPRESSION_FLAGS,
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return EXIT_OK;
  }
  const path = required(values.inventory as string | undefined, '--inventory FILE', usage);
  const format = oneOf(values.format as string | undefined, REPORT_FORMATS, '--format', 'table');
  const failOn =
    values['fail-on'] === undefined
      ? undefined
      : oneOf<Severity>(values['fail-on'] as string, SEVERITIES, '--fail-on', 'high');
  const now = new Date();
  const suppressions = suppressionsFor(values, io, now);
  const inventory = await loadForCommand(path, io);
  const result = suppressForCommand(
    runChecks(inventory, CHECKS),
    suppressions,
    now,
    io,
    Boolean(values['show-suppressed']),
  );
  io.stdout(renderScan(result, format));
  return failOn && meetsFailOn(result, failOn) ? EXIT_FINDINGS : EXIT_OK;
}
