import type { CliIO } from '../../lambda/cli/io';
import { main } from '../../lambda/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Working directory (default: this process's). */
  cwd?: string;
  /** What `-` reads as standard input. */
  stdin?: string;
  resolveHost?: CliIO['resolveHost'];
}

/** Runs the CLI in-process with captured output (no terminal). */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  options: CliRunOptions = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    env,
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin === undefined ? {} : { readStdin: async () => Buffer.from(options.stdin as string) }),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
