/**
 * The `irsa-audit` command line (commands in `commands/index.ts`, parsing in `program.ts`); the
 * Lambda and the CLI call the same core functions. User errors print one clear message and exit 2,
 * never a stack; anything else is a bug (exit 3).
 */
import { COMMANDS } from './commands/index';
import { CliError, type CliIO, EXIT_INTERNAL, processIO } from './io';
import { runProgram } from './program';

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const name = argv.find((arg) => !arg.startsWith('-')) ?? '';
  try {
    return await runProgram(argv, COMMANDS, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`irsa-audit ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`irsa-audit ${name}: unexpected error: ${message}\n`);
    if (io.env.IRSA_AUDIT_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT_INTERNAL;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
