import type { Severity } from './model';

/** Where a finding lives. Only the fields that apply are set. */
export interface FindingResource {
  accountId: string;
  region?: string;
  cluster?: string;
  namespace?: string;
  serviceAccount?: string;
  roleArn?: string;
  providerArn?: string;
  /** `Kind/name` of the pod owner, for pod findings grouped per workload. */
  workload?: string;
  /** Statement index (0-based) inside the role's trust policy, for statement-level findings. */
  statement?: number;
}

export interface Finding {
  checkId: string;
  severity: Severity;
  title: string;
  message: string;
  resource: FindingResource;
  evidence?: unknown;
  /** What to do, as prose only: commands are in `commands` (docs/output.md "Fix commands"). */
  remediation: string;
  /** Complete one-line shell commands, in order; each is shown on its own line, never wrapped. */
  commands?: string[];
  guideStep?: string;
  /** Stable identity: check + resource + discriminator; never the run time or the wording. */
  fingerprint: string;
}

/** What a check emits; the engine adds title, guide step and fingerprint from the check metadata. */
export interface FindingDraft {
  message: string;
  resource: FindingResource;
  /** Overrides the check's default severity where docs/checks.md makes it depend on the case. */
  severity?: Severity;
  evidence?: unknown;
  /**
   * Overrides the check's generic remediation (prose, policy fragments) and, with it, its generic
   * commands: a draft with its own remediation gets only its own `commands`.
   */
  remediation?: string;
  /** Complete one-line shell commands for this finding (never prose, never a placeholder-only line). */
  commands?: string[];
  /**
   * Distinguishes several findings of one check on one resource (e.g. the offending `sub` value).
   * Part of the fingerprint, so it must be data, not wording.
   */
  discriminator?: string;
}

const RESOURCE_KEYS: readonly (keyof FindingResource)[] = [
  'accountId',
  'region',
  'cluster',
  'namespace',
  'serviceAccount',
  'roleArn',
  'providerArn',
  'workload',
  'statement',
];

export function fingerprintOf(checkId: string, resource: FindingResource, discriminator = ''): string {
  let identity = checkId;
  for (const key of RESOURCE_KEYS) {
    const value = resource[key];
    identity += `|${value === undefined ? '' : String(value)}`;
  }
  identity += `|${discriminator}`;
  return hash64(identity);
}

/**
 * A 64-bit non-cryptographic hash (two independent 32-bit FNV-1a/murmur-mixed lanes) in hex.
 * The core stays free of node:crypto; fingerprints need stability and spread, not secrecy.
 */
export function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 0x01000193);
    h2 = Math.imul(h2 ^ code, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Evidence deeper than this is cut: DynamoDB stores at most 32 levels, and nobody reads deeper. */
const MAX_EVIDENCE_DEPTH = 32;

/**
 * Evidence is trimmed so a finding stays small (DynamoDB items, notifications). Measured with a walk
 * bounded in depth and size, never `JSON.stringify` of the whole value: a trust statement nested
 * 20,000 deep would overflow the stack (and the check would read as having no findings).
 */
export function trimEvidence(value: unknown, maxChars = 2000): unknown {
  if (value === undefined) return undefined;
  const out = { text: '', full: true };
  boundedJson(value, 0, maxChars, out);
  if (out.full && out.text.length <= maxChars) return value;
  return { truncated: true, excerpt: `${out.text.slice(0, maxChars)}…` };
}

/** Appends JSON for `value` to `out.text`, stopping past `max` characters or MAX_EVIDENCE_DEPTH levels. */
function boundedJson(value: unknown, depth: number, max: number, out: { text: string; full: boolean }): void {
  if (out.text.length > max) {
    out.full = false;
    return;
  }
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    out.text += text === undefined ? 'null' : text;
    return;
  }
  if (depth >= MAX_EVIDENCE_DEPTH) {
    out.text += '"…"';
    out.full = false;
    return;
  }
  const array = Array.isArray(value);
  out.text += array ? '[' : '{';
  let first = true;
  for (const [key, item] of array ? value.entries() : Object.entries(value)) {
    if (out.text.length > max) {
      out.full = false;
      break;
    }
    if (!array && (item === undefined || typeof item === 'function')) continue;
    if (!first) out.text += ',';
    first = false;
    if (!array) out.text += `${JSON.stringify(key)}:`;
    boundedJson(item, depth + 1, max, out);
  }
  out.text += array ? ']' : '}';
}
