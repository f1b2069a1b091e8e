/**
 * `--suppressions FILE`, `--no-suppressions` and `--show-suppressed` for scan, run and demo
 * (docs/suppressions.md). Without `--suppressions`, `./irsa-audit.suppressions.yaml` (or `.yml`,
 * `.json`) of the working directory is used when it exists, as Trivy users expect of `.trivyignore`.
 */
import { resolve } from 'node:path';
import type { ScanResult } from '../core/scan-result';
import {
  applySuppressions,
  type Suppression,
  SuppressionsError,
  suppressionWarnings,
  suppressScan,
} from '../core/suppressions';
import { findSuppressionsFile, type LoadedSuppressions, loadSuppressionsFile } from '../suppressions-file';
import type { Values } from './args';
import { CliError, type CliIO } from './io';
import type { OptionSpec } from './program';

/** On scan, run and demo. commander reads `--no-suppressions` as `suppressions: false`. */
export const SUPPRESSION_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--suppressions <file>',
    description: 'accepted risks (docs/suppressions.md); default ./irsa-audit.suppressions.yaml if present',
  },
  { flags: '--no-suppressions', description: 'ignore the default suppressions file' },
  { flags: '--show-suppressed', description: 'also list the suppressed findings' },
];

/** Reads the file a command was given (or the default one) as of `now`; problems exit 2. */
export function suppressionsFor(
  values: Values,
  io: CliIO,
  now: Date,
  fallback?: string,
): LoadedSuppressions | undefined {
  try {
    const none = values.suppressions === false;
    let file = typeof values.suppressions === 'string' ? values.suppressions : undefined;
    if (file === undefined && !none) {
      file = findSuppressionsFile(io.cwd) ?? fallback;
      if (file !== undefined && file !== fallback) io.stderr(`using suppressions from ./${file}\n`);
    }
    if (file === undefined) return undefined;
    return loadSuppressionsFile(resolve(io.cwd, file), now, file);
  } catch (error) {
    if (error instanceof SuppressionsError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

/** Prints the entries that need attention (expired, stale) to stderr. */
export function warnAboutEntries(entries: Parameters<typeof suppressionWarnings>[0], io: CliIO): void {
  for (const warning of suppressionWarnings(entries)) io.stderr(`warning: ${warning}\n`);
}

/** A scan result with the suppressions applied as of `now` (suppressed findings left out and counted). */
export function suppressForCommand(
  result: ScanResult,
  loaded: LoadedSuppressions | undefined,
  now: Date,
  io: CliIO,
  showSuppressed: boolean,
): ScanResult {
  if (!loaded) return result;
  const applied = applySuppressions(result.findings, loaded.suppressions, now);
  warnAboutEntries(applied.entries, io);
  const suppressed = new Map<string, Suppression>(
    applied.suppressed.map((entry) => [entry.finding.fingerprint, entry.suppression]),
  );
  return suppressScan(result, suppressed, applied.entries, {
    asOf: now,
    source: loaded.source,
    showSuppressed,
  });
}
