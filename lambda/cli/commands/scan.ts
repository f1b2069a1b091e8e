/** `irsa-audit scan --inventory FILE`: the offline audit of an inventory file. */
import { CHECKS } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import { REPORT_FORMATS } from '../../report/scan-report';
import { oneOf, required, severitiesOf, str } from '../args';
import { EXPORT_FORMATS, EXPORT_OPTIONS, printScan } from '../exports';
import { selectionOf } from '../filters';
import { loadForCommand } from '../inventory-file';
import { DETAILS, FAIL_ON, FILTER_OPTIONS, formatOption } from '../options';
import type { CommandSpec } from '../program';
import { SUPPRESSION_OPTIONS, suppressForCommand, suppressionsFor } from '../suppressions-options';

export const command: CommandSpec = {
  name: 'scan',
  summary: 'audit an inventory file offline',
  options: [
    {
      flags: '-i, --inventory <file>',
      description:
        'the inventory (irsa-audit snapshot output, or built from AWS CLI / kubectl exports; - for standard input)',
    },
    formatOption([...REPORT_FORMATS, ...EXPORT_FORMATS], 'table'),
    DETAILS,
    ...FILTER_OPTIONS,
    FAIL_ON,
    ...SUPPRESSION_OPTIONS,
    ...EXPORT_OPTIONS,
    { flags: '--region <region>', description: 'asff: the Security Hub region', env: 'AWS_REGION' },
  ],
  output: true,
  help: `Inventory format: docs/inventory.md; output formats: docs/output.md (sarif, csv, ocsf, asff, html:
the exports); suppressions: docs/suppressions.md
(suppressed findings are not shown and do not count for --fail-on).
Exit codes: 0 no shown finding at or above --fail-on, 1 --fail-on met, 2 usage or input error,
3 a check failed on a resource (the results are incomplete) or an internal error.`,
  async run(values, _args, { io, terminal, usage }) {
    const path = required(str(values, 'inventory'), '--inventory FILE', usage);
    const format = oneOf(str(values, 'format'), [...REPORT_FORMATS, ...EXPORT_FORMATS], '--format', 'table');
    const failOn = severitiesOf(values, 'fail-on');
    const selection = selectionOf(values);
    const now = new Date();
    const suppressions = suppressionsFor(values, io, now);
    const inventory = await loadForCommand(path, io);
    const audited = suppressForCommand(
      runChecks(inventory, CHECKS),
      suppressions,
      now,
      io,
      values['show-suppressed'] === true,
    );
    return printScan(audited, inventory, { format, selection, failOn, terminal, values, io });
  },
};
