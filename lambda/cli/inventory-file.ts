/**
 * The I/O edge of the inventory, its one file adapter: reads a file and hands its text to the pure
 * parser (`core/inventory/`, which turns every raw shape into the model). Every failure is an
 * `InventoryError` (`InventoryUnreadable`, `InventoryNotJson`, `InventoryInvalid`) whose message
 * names the file; commands print it and exit with code 2.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InventoryError, isInventoryError } from '../core/inventory/errors';
import type { ParseInventoryResult } from '../core/inventory/parse';
import { parseInventoryText } from '../core/inventory/parse-text';
import type { Inventory } from '../core/model';
import { CliError, type CliIO } from './io';

/** The name `--inventory -` gives standard input in messages. */
export const STDIN_NAME = '<stdin>';

/**
 * Loads an inventory file for a command (relative to its cwd; `-` is standard input): warnings to
 * stderr, problems exit 2.
 */
export async function loadForCommand(path: string, io: CliIO): Promise<Inventory> {
  try {
    const { inventory, warnings } =
      path === '-' ? await loadInventoryStdin(io) : await loadInventoryFile(resolve(io.cwd, path));
    for (const warning of warnings.slice(0, 20)) io.stderr(`warning: ${warning}\n`);
    if (warnings.length > 20) io.stderr(`warning: … and ${warnings.length - 20} more warnings\n`);
    return inventory;
  } catch (error) {
    if (isInventoryError(error)) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}

export async function loadInventoryFile(path: string): Promise<ParseInventoryResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InventoryError(
      'InventoryUnreadable',
      `${path}: cannot read the inventory file (${readFailure(error)})`,
      {
        source: path,
        cause: error,
      },
    );
  }
  return parseInventoryText(decodeText(bytes, path), path);
}

async function loadInventoryStdin(io: CliIO): Promise<ParseInventoryResult> {
  if (!io.readStdin) throw new CliError('--inventory -: standard input cannot be read here');
  let bytes: Buffer;
  try {
    bytes = await io.readStdin();
  } catch (error) {
    throw new InventoryError(
      'InventoryUnreadable',
      `${STDIN_NAME}: cannot read the inventory (${readFailure(error)})`,
      { source: STDIN_NAME, cause: error },
    );
  }
  return parseInventoryText(decodeText(bytes, STDIN_NAME), STDIN_NAME);
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ERR_FS_FILE_TOO_LARGE':
      return 'the file is too large to read at once';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

/**
 * UTF-8 (with or without a byte-order mark), or UTF-16 with a byte-order mark: what Windows
 * PowerShell's `>` writes, a common way to end up with an "invalid JSON" file that looks fine.
 */
function decodeText(bytes: Buffer, path: string): string {
  let encoding = 'utf-8';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ERR_STRING_TOO_LONG' || error instanceof RangeError) {
      throw new InventoryError(
        'InventoryUnreadable',
        `${path}: cannot read the inventory file (too large for one string: ${bytes.length} bytes)`,
        { source: path, cause: error },
      );
    }
    throw new InventoryError(
      'InventoryNotJson',
      `${path} is not valid JSON: it is not ${encoding.toUpperCase()} text`,
      {
        source: path,
        cause: error,
      },
    );
  }
}
