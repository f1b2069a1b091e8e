import { lookup } from 'node:dns/promises';
import { AuditorError } from '../core/errors';

/** What a CLI command may touch: injected so commands are testable without a real terminal. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress may be shown. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a terminal: colours are on unless NO_COLOR (docs/output.md "Terminal"). */
  stdoutIsTTY?: boolean;
  /** The terminal's width in columns, when stdout is one. */
  columns?: number;
  /** Standard input, for `--inventory -`. */
  readStdin?(): Promise<Buffer>;
  /** Resolves a host name (rejects with the resolver's error code), to tell "offline" early. */
  resolveHost?(host: string): Promise<void>;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  resolveHost: async (host) => {
    // A slow resolver is not an answer: after 3 s the live command goes on and the SDK decides.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((done) => {
      timer = setTimeout(done, 3000);
      timer.unref();
    });
    try {
      await Promise.race([lookup(host).then(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  },
};

/** Exit codes (docs/output.md "Exit codes"): 0 clean, 1 `--fail-on` met, 2 usage or input error, 3 a bug. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** Also an internal error: a check failed on a resource, so the results are incomplete. */
export const EXIT_INTERNAL = 3;

/** A scan's exit code: incomplete results (a check failed) first, then `--fail-on`. */
export function scanExitCode(failedChecks: number, failOnMet: boolean): number {
  if (failedChecks > 0) return EXIT_INTERNAL;
  return failOnMet ? EXIT_FINDINGS : EXIT_OK;
}

/** A user-facing error: printed as one clear message (no stack trace) with exit code 2 unless set. */
export class CliError extends AuditorError {
  declare readonly code: 'UsageError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    options?: { cause?: unknown },
  ) {
    super('UsageError', message, options);
    this.name = 'CliError';
  }
}
