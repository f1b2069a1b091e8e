import { AuditorError } from '../core/errors';

/** What a CLI command may touch: injected so commands are testable without a real terminal. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress may be shown. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  cwd: process.cwd(),
};

/** Exit codes (docs/output.md "Exit codes"): 0 clean, 1 `--fail-on` met, 2 usage or input error. */
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
