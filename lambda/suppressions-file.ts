/**
 * The I/O edge of suppressions (docs/suppressions.md): reads the YAML or JSON file, decodes it and
 * hands the value to the pure validator (core/suppressions.ts). Shared by the CLI, the Lambda (which
 * reads the copy bundled into the function) and the CDK app (which validates it at synth).
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type * as Yaml from 'yaml';
import { parseSuppressions, type Suppression, SuppressionsError } from './core/suppressions';

/** Names looked for in the working directory when no file is given (first match wins; two is an error). */
export const DEFAULT_SUPPRESSIONS_FILES = [
  'irsa-audit.suppressions.yaml',
  'irsa-audit.suppressions.yml',
  'irsa-audit.suppressions.json',
] as const;

export interface LoadedSuppressions {
  /** The file, as given. */
  source: string;
  suppressions: Suppression[];
}

/** Decodes the file's text: JSON for `.json`, YAML otherwise. Throws `SuppressionsError`. */
export function decodeSuppressionsText(textContent: string, source: string): unknown {
  if (extname(source).toLowerCase() === '.json') {
    try {
      return JSON.parse(textContent) as unknown;
    } catch (error) {
      throw new SuppressionsError(
        'SuppressionsInvalid',
        `${source}: not valid JSON (${(error as Error).message})`,
        [],
        {
          cause: error,
        },
      );
    }
  }
  // Loaded on first use, so the Lambda's cold start (bench/lambda.ts) does not pay for the YAML parser.
  const { parseDocument } = require('yaml') as typeof Yaml;
  const document = parseDocument(textContent, { uniqueKeys: true });
  const [first] = document.errors;
  if (first) {
    const at = first.linePos?.[0];
    throw new SuppressionsError(
      'SuppressionsInvalid',
      `${source}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML (${first.message.split('\n')[0]})`,
      [],
      { cause: first },
    );
  }
  return document.toJS() as unknown;
}

/** Reads and validates a suppressions file as of `now`. Throws `SuppressionsError` naming the file. */
export function loadSuppressionsFile(path: string, now: Date, source = path): LoadedSuppressions {
  let textContent: string;
  try {
    textContent = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw new SuppressionsError(
      'SuppressionsUnreadable',
      `${source}: cannot read the suppressions file (${why})`,
      [],
      {
        cause: error,
      },
    );
  }
  return {
    source,
    suppressions: parseSuppressions(decodeSuppressionsText(textContent, source), now, source),
  };
}

/** The suppressions file of a directory, if it has one of the default names. Throws when it has several. */
export function findSuppressionsFile(directory: string): string | undefined {
  const found = DEFAULT_SUPPRESSIONS_FILES.filter((name) => existsSync(join(directory, name)));
  if (found.length > 1) {
    throw new SuppressionsError(
      'SuppressionsInvalid',
      `${found.join(' and ')}: more than one suppressions file in ${directory}; keep one, or pass --suppressions FILE`,
    );
  }
  return found[0];
}
