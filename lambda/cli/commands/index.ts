/** Every `irsa-audit` command, in help order: adding a command is one line here. */
import { CliError, EXIT_OK } from '../io';
import { type CommandSpec, completionScript } from '../program';
import { command as access } from './access';
import { command as demo } from './demo';
import { command as explain } from './explain';
import { command as fix } from './fix';
import { runCommand, snapshotCommand } from './live';
import { findingsCommand, historyCommand, runsCommand } from './results';
import { command as scan } from './scan';

const completion: CommandSpec = {
  name: 'completion',
  summary: 'print a shell completion script (bash or zsh)',
  arguments: '<shell>',
  options: [],
  help: `Load it in the current shell:  source <(irsa-audit completion bash)
or install it:  irsa-audit completion zsh > "\${fpath[1]}/_irsa-audit"`,
  async run(_values, args, { io }) {
    const shell = args[0];
    if (shell !== 'bash' && shell !== 'zsh')
      throw new CliError(`completion: give bash or zsh (got "${shell}")`);
    io.stdout(completionScript(shell, COMMANDS));
    return EXIT_OK;
  },
};

export const COMMANDS: readonly CommandSpec[] = [
  scan,
  explain,
  snapshotCommand,
  runCommand,
  demo,
  findingsCommand,
  runsCommand,
  historyCommand,
  fix,
  access,
  completion,
];
