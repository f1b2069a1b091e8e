/**
 * From inventory text to the model: `JSON.parse` with a clear error (source, line, column, what was
 * expected) for text that is not JSON, then `parseInventory`. Pure: the file is read by the caller
 * (`lambda/cli/inventory-file.ts`).
 */
import { InventoryError } from './errors';
import { quote } from './issues';
import { findJsonSyntaxError } from './json-syntax';
import { type ParseInventoryResult, parseInventory } from './parse';

export function parseInventoryText(text: string, source: string): ParseInventoryResult {
  // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw notJson(body, source, error);
  }
  return parseInventory(document, source);
}

function notJson(text: string, source: string, cause: unknown): InventoryError {
  if (/^\s*$/.test(text)) {
    return new InventoryError('InventoryNotJson', `${source} is empty: expected a JSON inventory document`, {
      source,
      cause,
    });
  }
  const syntax = findJsonSyntaxError(text);
  const detail = syntax
    ? `line ${syntax.line}, column ${syntax.column}: ${syntax.message}`
    : quote(cause instanceof Error ? cause.message : String(cause));
  return new InventoryError('InventoryNotJson', `${source} is not valid JSON: ${detail}`, {
    source,
    cause,
  });
}
