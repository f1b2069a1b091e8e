/**
 * The suppressions file of a deployment (docs/suppressions.md, docs/deployment.md): `-c suppressionsFile=PATH`
 * is validated at synth (an invalid entry fails `cdk synth`, naming the entry and the field) and copied
 * into the function's bundle, where the handler reads it on every run (SUPPRESSIONS_FILE names the copy).
 * The copy is part of the bundle, so a changed file changes the asset hash and is deployed.
 */
import { extname, resolve } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { applySuppressions, SuppressionsError, suppressionWarnings } from '../lambda/core/suppressions';
import { ConfigError } from '../lambda/settings/read';
import { loadSuppressionsFile } from '../lambda/suppressions-file';

export interface DeploymentSuppressions {
  /** Absolute path of the file at synth. */
  path: string;
  /** Its name inside the bundle (the value of SUPPRESSIONS_FILE). */
  bundledName: string;
  entries: number;
  /** Entries already expired at synth: their findings alert again. */
  warnings: string[];
}

/** Reads and validates the file as of `now` (the synth date); throws ConfigError naming the entry. */
export function deploymentSuppressions(file: string, now: Date, cwd = process.cwd()): DeploymentSuppressions {
  const path = resolve(cwd, file);
  try {
    const loaded = loadSuppressionsFile(path, now, file);
    // No findings at synth: only expiry can be judged here (stale entries are reported by each run).
    const expired = applySuppressions([], loaded.suppressions, now).entries.filter(
      (e) => e.state === 'expired',
    );
    return {
      path,
      bundledName: `irsa-audit.suppressions${extname(path).toLowerCase()}`,
      entries: loaded.suppressions.length,
      warnings: suppressionWarnings(expired).map((warning) => `suppressionsFile: ${warning}`),
    };
  } catch (error) {
    if (error instanceof SuppressionsError) {
      throw new ConfigError([`suppressionsFile: ${error.message}`], 'context', { cause: error });
    }
    throw error;
  }
}

/** Copies the file into the bundle's output directory after esbuild (local bundling, no Docker). */
export function suppressionsCommandHooks(suppressions: DeploymentSuppressions): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `cp ${shellQuote(suppressions.path)} ${shellQuote(`${outputDir}/${suppressions.bundledName}`)}`,
    ],
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
