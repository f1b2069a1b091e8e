/** Loads an inventory file for a command, turning every input problem into a clear exit-2 error. */
import { resolve } from 'node:path';
import { isInventoryError } from '../core/inventory/errors';
import type { Inventory } from '../core/model';
import { loadInventoryFile } from '../inventory/load';
import { CliError, type CliIO } from './io';

export async function loadForCommand(path: string, io: CliIO): Promise<Inventory> {
  try {
    const { inventory, warnings } = await loadInventoryFile(resolve(io.cwd, path));
    for (const warning of warnings.slice(0, 20)) io.stderr(`warning: ${warning}\n`);
    if (warnings.length > 20) io.stderr(`warning: … and ${warnings.length - 20} more warnings\n`);
    return inventory;
  } catch (error) {
    if (isInventoryError(error)) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
}
