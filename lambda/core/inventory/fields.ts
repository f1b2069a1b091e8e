/**
 * Small field validators shared by the inventory parsers. They read `owner[key]`, report a problem at
 * `<current path>.<key>` when the value has the wrong type, and return the value (or `undefined`).
 * `null` counts as absent for optional fields: snapshot writers in other languages often emit it.
 */
import type { JsonObject } from '../model';
import type { Issues } from './issues';

export type { JsonObject };

// The list loops of this folder (push the index on `issues.path`, check each element is an object)
// are written out on purpose: routing them through one shared callback helper was measured to make
// the full-size parse of the engine benchmark about twice as slow (one polymorphic call per element).

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Kubernetes names and namespaces, loosely: non-empty, at most 253 characters, no white space, control
 * or invisible characters, `:` or `/` (they would break `system:serviceaccount:<ns>:<name>`). The API
 * server enforces the strict DNS rules; hand-written inventories are given some slack.
 */
const KUBERNETES_NAME_RE =
  /^[^\s:/\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]{1,253}$/;
export const KUBERNETES_NAME_EXPECTED = 'a Kubernetes name (non-empty, no spaces, `:` or `/`)';

export function isKubernetesName(value: unknown): value is string {
  return typeof value === 'string' && KUBERNETES_NAME_RE.test(value);
}

export function requiredString(owner: JsonObject, key: string, issues: Issues, what = 'a non-empty string') {
  const value = owner[key];
  if (typeof value === 'string' && value.length > 0) return value;
  issues.expected(what, value, key);
  return undefined;
}

export function optionalString(owner: JsonObject, key: string, issues: Issues, what = 'a string') {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  issues.expected(`${what} (or no value)`, value, key);
  return undefined;
}

export function requiredKubernetesName(owner: JsonObject, key: string, issues: Issues): string | undefined {
  const value = owner[key];
  if (isKubernetesName(value)) return value;
  issues.expected(KUBERNETES_NAME_EXPECTED, value, key);
  return undefined;
}

/**
 * An optional array of strings, validated in place. `undefined` stays `undefined` (unknown is not
 * empty); `null` becomes `undefined`.
 */
export function optionalStringArray(owner: JsonObject, key: string, issues: Issues): string[] | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.expected('an array of strings (or no value)', value, key);
    return undefined;
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') issues.expected('a string', value[i], [key, i]);
  }
  return value as string[];
}

/** An optional `{ string: string }` map (annotations, labels), validated in place. */
export function optionalStringMap(
  owner: JsonObject,
  key: string,
  issues: Issues,
): Record<string, string> | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    issues.expected('an object of string values (or no value)', value, key);
    return undefined;
  }
  for (const name in value) {
    if (typeof value[name] !== 'string') {
      issues.expected('a string value', value[name], [key, name]);
    }
  }
  return value as Record<string, string>;
}

/**
 * A timestamp of a raw API shape (`status.startTime`, `RoleLastUsed.LastUsedDate`): a string in CLI and
 * kubectl exports, a `Date` from the SDKs. Both become `Date.toISOString()`, so a live read and an
 * export of the same object agree; a string that is not a date is kept as it is.
 */
export function optionalTimestamp(owner: JsonObject, key: string, issues: Issues): string | undefined {
  const value = owner[key];
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'string') {
    const time = Date.parse(value);
    return Number.isNaN(time) ? value : new Date(time).toISOString();
  }
  issues.expected('a date-time string (or no value)', value, key);
  return undefined;
}
