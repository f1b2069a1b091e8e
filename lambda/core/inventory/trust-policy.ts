/**
 * Trust-policy documents between their raw forms and the model's `TrustPolicy`, for the file parser and
 * the live collectors alike. IAM returns documents URL-encoded (RFC 3986); exports and hand-written
 * inventories hold them decoded, as JSON text or as the object itself. A document is URL-decoded once,
 * and only when it is not already JSON: a plain document keeps a literal `%2A` (docs/inventory.md).
 */
import type { Inventory, JsonObject, TrustPolicy } from '../model';
import { isObject } from './fields';
import { findJsonSyntaxError } from './json-syntax';

/** Decodes a trust-policy string: JSON, or URL-encoded JSON as the IAM API returns it. */
export function decodeTrustPolicy(text: string): TrustPolicy {
  const trimmed = text.trim();
  if (trimmed.length === 0) return unparsable('the trust policy is an empty string');
  // Text that parses as JSON is not encoded (`%` cannot start a JSON text: no attempt then).
  let value = trimmed.charCodeAt(0) === 0x25 ? undefined : parseJson(trimmed);
  let json = trimmed;
  if (value === undefined) {
    const decoded = decodeUri(trimmed);
    if (decoded === undefined && !trimmed.startsWith('{')) {
      return unparsable('the trust policy is neither JSON nor valid URL-encoded JSON (bad % escape)');
    }
    if (decoded !== undefined && decoded !== trimmed) {
      json = decoded;
      value = parseJson(decoded);
    }
    // Form-encoding writes spaces as `+`; IAM does not, but hand-made exports sometimes do.
    if (value === undefined && trimmed.includes('+')) {
      const plus = decodeUri(trimmed.replace(/\+/g, ' '));
      if (plus !== undefined) value = parseJson(plus);
    }
  }
  // A document JSON-encoded twice (a JSON string holding the JSON text).
  if (value !== undefined && typeof value.parsed === 'string') value = parseJson(value.parsed.trim());
  if (value === undefined) {
    const syntax = findJsonSyntaxError(json);
    const where = syntax ? ` at character ${syntax.offset + 1}: ${syntax.message}` : '';
    return unparsable(`the trust policy is not valid JSON${where}`);
  }
  return isObject(value.parsed) ? documentOrMarker(value.parsed) : notAnObject(value.parsed);
}

/**
 * What an inventory file's `trustPolicy` (or an IAM `AssumeRolePolicyDocument`) holds → the model: the
 * document object, its JSON / URL-encoded text, or `{"unparsable": reason}` as a snapshot writes it.
 */
export function trustPolicyOfValue(value: unknown): TrustPolicy {
  if (typeof value === 'string') return decodeTrustPolicy(value);
  return isObject(value) ? documentOrMarker(value) : notAnObject(value);
}

function documentOrMarker(value: JsonObject): TrustPolicy {
  if (typeof value.unparsable === 'string' && !('Statement' in value)) return unparsable(value.unparsable);
  return { kind: 'parsed', document: value };
}

function notAnObject(value: unknown): TrustPolicy {
  const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
  return unparsable(`the trust policy is ${kind}, not a JSON object`);
}

/** The file form of a trust policy: the document, or `{"unparsable": reason}` (docs/inventory.md). */
export function trustPolicyToFile(trust: TrustPolicy): JsonObject {
  return trust.kind === 'parsed' ? trust.document : { unparsable: trust.reason };
}

/** An inventory as the file a `snapshot` writes (schema/inventory.schema.json). */
export function inventoryToJson(inventory: Inventory, space?: number): string {
  return JSON.stringify(
    inventory,
    (key, value) => (key === 'trustPolicy' && isTrustPolicy(value) ? trustPolicyToFile(value) : value),
    space,
  );
}

function isTrustPolicy(value: unknown): value is TrustPolicy {
  return isObject(value) && (value.kind === 'parsed' || value.kind === 'unparsable');
}

function unparsable(reason: string): TrustPolicy {
  return { kind: 'unparsable', reason };
}

function parseJson(text: string): { parsed: unknown } | undefined {
  try {
    return { parsed: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function decodeUri(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
