/**
 * The `irsa-audit` command line. Every command is a module with `run(argv, io)`; the Lambda and the
 * CLI call the same core functions. User errors print one clear message and exit 2, never a stack.
 */
import * as access from './commands/access';
import * as demo from './commands/demo';
import * as explain from './commands/explain';
import * as fix from './commands/fix';
import { runRun, runSnapshot } from './commands/live';
import { runFindings, runHistory, runRuns } from './commands/results';
import * as scan from './commands/scan';
import { CliError, type CliIO, EXIT_USAGE, processIO } from './io';

type Command = { summary: string; run(argv: string[], io: CliIO): Promise<number> };

const COMMANDS: Record<string, Command> = {
  scan: { summary: 'audit an inventory file offline', run: scan.run },
  explain: { summary: 'walk the IRSA troubleshooting guide for one service account', run: explain.run },
  snapshot: { summary: 'collect the live inventory of the organization to a file', run: runSnapshot },
  run: { summary: 'live audit (optionally stored and notified, as the Lambda does)', run: runRun },
  demo: { summary: 'the whole pipeline on the bundled demo organization (embedded DynamoDB)', run: demo.run },
  findings: { summary: 'query findings in the results table', run: runFindings },
  runs: { summary: 'list audit runs', run: runRuns },
  history: { summary: "one finding's history (opened / resolved)", run: runHistory },
  fix: {
    summary: 'write the complete new trust policy that fixes a finding (nothing is changed in AWS)',
    run: fix.run,
  },
  access: {
    summary: 'print the EKS access-entry commands for clusters the audit could not read',
    run: access.run,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  );
  return `Usage: irsa-audit <command> [options]   (irsa-audit <command> --help for details)\n\nCommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name ? 0 : EXIT_USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`irsa-audit: unknown command "${name}"\n\n${help()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`irsa-audit ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`irsa-audit ${name}: unexpected error: ${message}\n`);
    if (io.env.IRSA_AUDIT_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 3;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
