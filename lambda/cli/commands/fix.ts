/**
 * `irsa-audit fix <fingerprint> --inventory FILE [--out DIR]`: writes the complete new trust policy
 * that fixes one finding (lambda/core/fix/trust-fix.ts) to DIR/<role name>.trust.json and prints the
 * commands that apply it. It writes that one file and nothing else: the tool stays read-only against
 * AWS, and the commands are for a person to review and run (docs/output.md "Fix commands").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { shellQuote } from '../../core/access-entry';
import { createProviderCommand, roleNameOf } from '../../core/checks/helpers';
import { CHECKS } from '../../core/checks/index';
import { runChecks } from '../../core/engine';
import { isAuditorError } from '../../core/errors';
import {
  findingByFingerprint,
  planTrustFix,
  TRUST_FIX_CHECKS,
  type TrustFixPlan,
} from '../../core/fix/trust-fix';
import { required, str } from '../args';
import { loadForCommand } from '../inventory-file';
import { CliError, EXIT_OK } from '../io';
import type { CommandSpec } from '../program';

export const command: CommandSpec = {
  name: 'fix',
  summary: 'write the complete new trust policy that fixes a finding (nothing is changed in AWS)',
  arguments: '<fingerprint>',
  options: [
    {
      flags: '-i, --inventory <file>',
      description: 'the inventory the finding came from (irsa-audit snapshot output; - for standard input)',
    },
    { flags: '-o, --out <dir>', description: 'where to write the file (default: the current directory)' },
  ],
  help: `Writes DIR/<role name>.trust.json: the complete new trust policy of the finding's role, with every
existing statement kept in its order and only the statement the finding names repaired (provider,
condition keys, audience; a wrong subject replaced, not added to). Then prints the commands that
apply it. Nothing is changed in AWS: review the file, then run the commands yourself.
The fingerprint is the finding's id (scan --details "id …", JSON "fingerprint").
Findings fixed this way: ${TRUST_FIX_CHECKS.join(', ')}.
Exit codes: 0 written, 2 usage or input error (no such finding, no trust fix for it).`,
  async run(values, args, { io, usage }) {
    const fingerprint = (args[0] ?? '').trim().toLowerCase();
    if (!fingerprint) throw new CliError(`give the finding's FINGERPRINT\n\n${usage}`);
    const path = required(str(values, 'inventory'), '--inventory FILE', usage);
    const outDir = resolve(io.cwd, str(values, 'out') ?? '.');

    const inventory = await loadForCommand(path, io);
    const finding = findingByFingerprint(runChecks(inventory, CHECKS).findings, fingerprint);
    if (!finding) {
      throw new CliError(
        `no finding ${fingerprint} in ${path} (irsa-audit scan --inventory ${path} --details lists the ids; a finding that is resolved has no fix)`,
      );
    }
    let plan: TrustFixPlan;
    try {
      plan = planTrustFix(finding, inventory);
    } catch (error) {
      if (isAuditorError(error) && error.code === 'TrustFixUnavailable') {
        throw new CliError(`no trust fix for ${finding.checkId} ${fingerprint}: ${error.message}`, 2, {
          cause: error,
        });
      }
      throw error;
    }
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, plan.fileName);
    await writeFile(file, `${JSON.stringify(plan.document, null, 2)}\n`, 'utf8');
    io.stdout(renderPlan(plan, relative(io.cwd, file) || plan.fileName));
    return EXIT_OK;
  },
};

/** What was written and what to run, each command complete on its own line. */
export function renderPlan(plan: TrustFixPlan, file: string): string {
  const lines = [`Wrote ${file}: the complete new trust policy of ${plan.roleArn}.`];
  for (const change of plan.changes) lines.push(`  - ${change}`);
  lines.push(
    '',
    'Review it, then run (with credentials for the role account; it replaces the whole trust policy):',
  );
  for (const provider of plan.providers)
    lines.push(createProviderCommand(provider.issuer, provider.clientIds));
  lines.push(
    `aws iam update-assume-role-policy --role-name ${shellQuote(roleNameOf(plan.roleArn))} --policy-document ${shellQuote(`file://${file}`)}`,
  );
  return `${lines.join('\n')}\n`;
}
