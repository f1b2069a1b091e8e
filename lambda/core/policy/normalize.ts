/**
 * Trust-policy normalisation: every legal JSON shape (Statement object or array, Principal and
 * Action as string or array, all condition operator families, policy variables by Version) becomes
 * one typed structure. Anything not understood is kept as an `issue` so the evaluator answers
 * "indeterminate" instead of guessing (docs/irsa-semantics.md §2.2).
 */
import type { TrustPolicy } from '../model';

export type Effect = 'Allow' | 'Deny';

export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';

export interface Operator {
  raw: string;
  /** e.g. `StringEquals` for `ForAnyValue:StringEqualsIfExists`. */
  base: string;
  family: OperatorFamily;
  negated: boolean;
  ignoreCase: boolean;
  /** Glob matching (`StringLike`, `ArnLike` and their negations). */
  like: boolean;
  ifExists: boolean;
  set?: 'ForAnyValue' | 'ForAllValues';
}

/** One literal run or wildcard of a compiled condition value. */
export type Segment = string | { wildcard: '*' | '?' };

export interface ConditionValue {
  raw: string;
  /** Compiled value; undefined when it holds a policy variable that cannot be resolved statically. */
  segments?: Segment[];
  /** True when a `*` or `?` is a wildcard (only meaningful for `like` operators). */
  hasWildcard: boolean;
  /** Literal text when `segments` has no wildcard. */
  literal?: string;
  /** No Version and a `${…}`: the 2008-10-17 (literal text) reading; a match needs both to agree. */
  alternative?: ConditionValue;
  /** The compiled glob (case-sensitive), filled on first match (the value belongs to one run). */
  pattern?: Int32Array;
}

export interface ConditionClause {
  operatorRaw: string;
  operator?: Operator;
  key: string;
  keyLower: string;
  /**
   * For a key ending in `:sub` / `:aud`: that claim and the lower-cased issuer before it, split once
   * per key when the policy is normalised (the evaluator compares them for every clause of every
   * evaluation); `null` for any other key; absent on clauses built by hand (the evaluator splits then).
   */
  claimKey?: { claim: 'sub' | 'aud'; issuerLower: string } | null;
  values: ConditionValue[];
}

export interface Principals {
  wildcard: boolean;
  federated: readonly string[];
  /**
   * `Federated` list entries that are not strings (IAM rejects such a document; a hand-made inventory
   * can hold one). The valid entries are kept in `federated`, so the statement is still evaluated for
   * them, and trust.principal-malformed reports these. Absent when there are none.
   */
  invalidFederated?: readonly unknown[];
  service: readonly string[];
  aws: readonly string[];
  canonicalUser: readonly string[];
}

export interface NormalizedStatement {
  index: number;
  sid?: string;
  effect?: Effect;
  principals?: Principals;
  notPrincipal: boolean;
  actions: readonly string[];
  notAction: boolean;
  conditions: readonly ConditionClause[];
  /** Constructs that make any answer about this statement indeterminate. */
  issues: readonly string[];
  /** The statement as written, for evidence. */
  raw: unknown;
}

export interface NormalizedPolicy {
  version?: string;
  statements: readonly NormalizedStatement[];
  /** Document-level problems (not JSON, no Statement…): the whole policy is indeterminate. */
  issues: readonly string[];
}

/**
 * Per-run memo of the normaliser, held by the audit context (never at module level): one lower-cased
 * string per distinct condition key. An organization has a few `<issuer>:sub` / `:aud` keys but one
 * clause per role, and EKS issuer ids are upper case, so each `toLowerCase()` was a new string.
 */
export interface NormalizeCache {
  lowerKeys: Map<string, string>;
  /** By lower-cased key: its claim split (ConditionClause.claimKey), shared by every clause with that key. */
  claimKeys: Map<string, ConditionClause['claimKey']>;
}

export function newNormalizeCache(): NormalizeCache {
  return { lowerKeys: new Map(), claimKeys: new Map() };
}

const STRING_OPS: Record<string, Omit<Operator, 'raw' | 'ifExists' | 'set' | 'base'>> = {
  StringEquals: { family: 'String', negated: false, ignoreCase: false, like: false },
  StringNotEquals: { family: 'String', negated: true, ignoreCase: false, like: false },
  StringEqualsIgnoreCase: { family: 'String', negated: false, ignoreCase: true, like: false },
  StringNotEqualsIgnoreCase: { family: 'String', negated: true, ignoreCase: true, like: false },
  StringLike: { family: 'String', negated: false, ignoreCase: false, like: true },
  StringNotLike: { family: 'String', negated: true, ignoreCase: false, like: true },
  NumericEquals: { family: 'Numeric', negated: false, ignoreCase: false, like: false },
  NumericNotEquals: { family: 'Numeric', negated: true, ignoreCase: false, like: false },
  NumericLessThan: { family: 'Numeric', negated: false, ignoreCase: false, like: false },
  NumericLessThanEquals: { family: 'Numeric', negated: false, ignoreCase: false, like: false },
  NumericGreaterThan: { family: 'Numeric', negated: false, ignoreCase: false, like: false },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false, ignoreCase: false, like: false },
  DateEquals: { family: 'Date', negated: false, ignoreCase: false, like: false },
  DateNotEquals: { family: 'Date', negated: true, ignoreCase: false, like: false },
  DateLessThan: { family: 'Date', negated: false, ignoreCase: false, like: false },
  DateLessThanEquals: { family: 'Date', negated: false, ignoreCase: false, like: false },
  DateGreaterThan: { family: 'Date', negated: false, ignoreCase: false, like: false },
  DateGreaterThanEquals: { family: 'Date', negated: false, ignoreCase: false, like: false },
  Bool: { family: 'Bool', negated: false, ignoreCase: false, like: false },
  BinaryEquals: { family: 'Binary', negated: false, ignoreCase: false, like: false },
  IpAddress: { family: 'Ip', negated: false, ignoreCase: false, like: false },
  NotIpAddress: { family: 'Ip', negated: true, ignoreCase: false, like: false },
  ArnEquals: { family: 'Arn', negated: false, ignoreCase: false, like: true },
  ArnLike: { family: 'Arn', negated: false, ignoreCase: false, like: true },
  ArnNotEquals: { family: 'Arn', negated: true, ignoreCase: false, like: true },
  ArnNotLike: { family: 'Arn', negated: true, ignoreCase: false, like: true },
  Null: { family: 'Null', negated: false, ignoreCase: false, like: false },
};

/**
 * Every legal operator, `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`, built once: a constant table
 * (a few hundred entries), so clauses share one frozen Operator each and unknown text is never stored.
 */
const OPERATORS: Readonly<Record<string, Readonly<Operator>>> = buildOperatorTable();

function buildOperatorTable(): Readonly<Record<string, Readonly<Operator>>> {
  const table: Record<string, Readonly<Operator>> = {};
  for (const [base, known] of Object.entries(STRING_OPS)) {
    for (const set of [undefined, 'ForAnyValue', 'ForAllValues'] as const) {
      // `NullIfExists` is not an operator (IAM-UG: IfExists applies to all but Null).
      for (const ifExists of base === 'Null' ? [false] : [false, true]) {
        const raw = `${set ? `${set}:` : ''}${base}${ifExists ? 'IfExists' : ''}`;
        table[raw] = Object.freeze({ raw, base, ifExists, set, ...known });
      }
    }
  }
  return Object.freeze(table);
}

/** Parses `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`; undefined for unknown operators. */
export function parseOperator(raw: string): Readonly<Operator> | undefined {
  return Object.hasOwn(OPERATORS, raw) ? OPERATORS[raw] : undefined;
}

type VariableMode = 'substitute' | 'literal' | 'ambiguous';

function variableModeOf(version: string | undefined): VariableMode {
  if (version === '2012-10-17') return 'substitute';
  if (version === '2008-10-17') return 'literal';
  return 'ambiguous';
}

/**
 * Compiles a condition value: under Version 2012-10-17 `${*}`, `${?}`, `${$}` are literal escapes and
 * any other `${…}` is a variable (unresolvable here); under 2008-10-17 `${…}` is literal text.
 */
export function compileValue(raw: string, like: boolean, mode: VariableMode): ConditionValue {
  // Most values (every `sub`/`aud` under StringEquals) are plain text: one segment, no scan.
  if (!raw.includes('${') && (!like || (!raw.includes('*') && !raw.includes('?')))) {
    return { raw, segments: [raw], hasWildcard: false, literal: raw };
  }
  const segments: Segment[] = [];
  let literalRun = '';
  let runStart = 0;
  let hasWildcard = false;
  let unresolvable = false;
  // Once no `}` follows, later `${` are text too: do not rescan (quadratic on `${${${…`).
  let closeAhead = true;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '$' && raw[i + 1] === '{' && mode !== 'literal' && closeAhead) {
      const end = raw.indexOf('}', i + 2);
      closeAhead = end > 0;
      if (end > 0) {
        const name = raw.slice(i + 2, end);
        if (name === '*' || name === '?' || name === '$') {
          literalRun += raw.slice(runStart, i) + name;
          i = end;
          runStart = end + 1;
          continue;
        }
        unresolvable = true;
        break;
      }
    }
    if (like && (ch === '*' || ch === '?')) {
      literalRun += raw.slice(runStart, i);
      if (literalRun) segments.push(literalRun);
      literalRun = '';
      segments.push(ch === '*' ? STAR_SEGMENT : ANY_SEGMENT);
      hasWildcard = true;
      runStart = i + 1;
    }
  }
  let compiled: ConditionValue;
  if (unresolvable) compiled = { raw, hasWildcard: false };
  else {
    literalRun += raw.slice(runStart);
    if (literalRun || segments.length === 0) segments.push(literalRun);
    compiled = hasWildcard
      ? { raw, segments, hasWildcard, pattern: undefined }
      : { raw, segments, hasWildcard, literal: literalRun };
  }
  // No Version: `${…}` is a variable (2012-10-17) or text (2008-10-17); keep both readings.
  if (mode === 'ambiguous' && raw.includes('${')) compiled.alternative = compileValue(raw, like, 'literal');
  return compiled;
}

const STAR_SEGMENT: Segment = { wildcard: '*' };
const ANY_SEGMENT: Segment = { wildcard: '?' };

function asStringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Shared by every statement without principals of a kind: one statement per role × 200k roles made
 * these empty arrays a visible share of what the audit context retains. Frozen: never pushed to.
 */
const NO_PRINCIPALS: readonly string[] = Object.freeze([]);
/** The same for empty actions, conditions and issues lists (readonly types: never pushed to). */
const NONE: readonly never[] = Object.freeze([]);

function normalizePrincipals(value: unknown, issues: string[]): Principals | undefined {
  const principals: Principals = {
    wildcard: false,
    federated: NO_PRINCIPALS,
    service: NO_PRINCIPALS,
    aws: NO_PRINCIPALS,
    canonicalUser: NO_PRINCIPALS,
  };
  if (value === '*') {
    principals.wildcard = true;
    return principals;
  }
  if (!isPlainObject(value)) {
    issues.push('`Principal` is neither "*" nor an object');
    return undefined;
  }
  for (const [type, entries] of Object.entries(value)) {
    let list = asStringList(entries);
    if (!list && type === 'Federated' && Array.isArray(entries)) {
      // One bad entry must not hide the good ones: a statement without conditions would then read as
      // trusting nobody instead of every service account.
      list = entries.filter((entry): entry is string => typeof entry === 'string');
      principals.invalidFederated = entries.filter((entry) => typeof entry !== 'string');
    }
    if (!list) {
      issues.push(`\`Principal.${type}\` is not a string or an array of strings`);
      continue;
    }
    // Object keys are unique, so each kind is set at most once (the list itself, not a copy).
    switch (type) {
      case 'Federated':
        principals.federated = list;
        break;
      case 'Service':
        principals.service = list;
        break;
      case 'AWS':
        principals.aws = list;
        if (list.includes('*')) principals.wildcard = true;
        break;
      case 'CanonicalUser':
        principals.canonicalUser = list;
        break;
      default:
        issues.push(`unknown principal type \`${type}\``);
    }
  }
  return principals;
}

function normalizeConditions(
  value: unknown,
  mode: VariableMode,
  issues: string[],
  cache: NormalizeCache,
): readonly ConditionClause[] {
  if (value === undefined) return NONE;
  if (!isPlainObject(value)) {
    issues.push('`Condition` is not an object');
    return [];
  }
  const clauses: ConditionClause[] = [];
  for (const [operatorRaw, block] of Object.entries(value)) {
    const operator = parseOperator(operatorRaw);
    if (!operator) issues.push(`unknown condition operator \`${operatorRaw}\``);
    if (!isPlainObject(block)) {
      issues.push(`\`Condition.${operatorRaw}\` is not an object of key/value pairs`);
      continue;
    }
    for (const [key, rawValues] of Object.entries(block)) {
      const list = asConditionValues(rawValues);
      if (!list) {
        issues.push(`\`Condition.${operatorRaw}.${key}\` is not a string, number, boolean or array of them`);
        continue;
      }
      const like = operator?.like ?? false;
      const values = list.map((item) => compileValue(item, like, mode));
      if (mode === 'ambiguous' && list.some((item) => item.includes('${'))) {
        issues.push(
          `\`${key}\` uses \`\${…}\` but the policy has no Version: whether it is a variable is not known`,
        );
      }
      const keyLower = lowerKey(cache, key);
      clauses.push({ operatorRaw, operator, key, keyLower, claimKey: claimKeyOf(cache, keyLower), values });
    }
  }
  return clauses;
}

const isScalar = (item: unknown) =>
  typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean';

function claimKeyOf(cache: NormalizeCache, keyLower: string): ConditionClause['claimKey'] {
  let split = cache.claimKeys.get(keyLower);
  if (split === undefined) {
    const claim = keyLower.endsWith(':sub') ? 'sub' : keyLower.endsWith(':aud') ? 'aud' : undefined;
    split = claim ? { claim, issuerLower: keyLower.slice(0, -4) } : null;
    cache.claimKeys.set(keyLower, split);
  }
  return split;
}

function lowerKey(cache: NormalizeCache, key: string): string {
  let lower = cache.lowerKeys.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    cache.lowerKeys.set(key, lower);
  }
  return lower;
}

function asConditionValues(value: unknown): string[] | undefined {
  if (isScalar(value)) return [String(value)];
  if (Array.isArray(value) && value.every(isScalar)) return value.map(String);
  return undefined;
}

function normalizeStatement(
  raw: unknown,
  index: number,
  mode: VariableMode,
  cache: NormalizeCache,
): NormalizedStatement {
  const issues: string[] = [];
  const statement: NormalizedStatement = {
    index,
    notPrincipal: false,
    actions: NONE,
    notAction: false,
    conditions: NONE,
    issues,
    raw,
  };
  if (!isPlainObject(raw)) {
    issues.push('statement is not an object');
    return statement;
  }
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  if (raw.Effect === 'Allow' || raw.Effect === 'Deny') statement.effect = raw.Effect;
  else issues.push(`\`Effect\` is ${JSON.stringify(raw.Effect) ?? 'missing'}, not "Allow" or "Deny"`);

  if ('NotPrincipal' in raw) {
    statement.notPrincipal = true;
    issues.push('`NotPrincipal` is not allowed in a role trust policy');
  }
  if ('Principal' in raw) statement.principals = normalizePrincipals(raw.Principal, issues);
  else if (!statement.notPrincipal) issues.push('statement has no `Principal`');

  const hasAction = 'Action' in raw;
  const hasNotAction = 'NotAction' in raw;
  if (hasAction === hasNotAction) {
    issues.push('statement must have exactly one of `Action` and `NotAction`');
  } else {
    const list = asStringList(hasAction ? raw.Action : raw.NotAction);
    if (!list) issues.push(`\`${hasAction ? 'Action' : 'NotAction'}\` is not a string or array of strings`);
    else if (list.length === 0) issues.push(`\`${hasAction ? 'Action' : 'NotAction'}\` is an empty list`);
    else statement.actions = list;
    statement.notAction = hasNotAction;
  }
  statement.conditions = normalizeConditions(raw.Condition, mode, issues, cache);
  if (issues.length === 0) statement.issues = NONE;
  return statement;
}

/** A role's trust policy (the model's `TrustPolicy`) normalised; one that could not be parsed has no statements. */
export function normalizeTrustPolicy(
  trust: TrustPolicy,
  cache: NormalizeCache = newNormalizeCache(),
): NormalizedPolicy {
  if (trust.kind === 'unparsable') {
    return { statements: [], issues: [`the trust policy could not be parsed: ${trust.reason}`] };
  }
  return normalizePolicy(trust.document, cache);
}

/**
 * Normalises a parsed trust-policy document (decoding is the inventory's job:
 * `core/inventory/trust-policy.ts`); never throws. `cache` is the run's (AuditContext.cache.policy); a
 * caller outside a run gets a private one.
 */
export function normalizePolicy(
  document: unknown,
  cache: NormalizeCache = newNormalizeCache(),
): NormalizedPolicy {
  const parsed = document;
  if (!isPlainObject(parsed)) return { statements: [], issues: ['the trust policy is not a JSON object'] };
  const issues: string[] = [];
  const version = typeof parsed.Version === 'string' ? parsed.Version : undefined;
  if (parsed.Version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    issues.push(`\`Version\` ${JSON.stringify(parsed.Version)} is not 2012-10-17 or 2008-10-17`);
  }
  const mode = variableModeOf(version);
  const rawStatements = parsed.Statement;
  let list: unknown[];
  if (Array.isArray(rawStatements)) list = rawStatements;
  else if (isPlainObject(rawStatements)) list = [rawStatements];
  else {
    issues.push('the trust policy has no `Statement` object or array');
    list = [];
  }
  return {
    version,
    statements: list.map((item, index) => normalizeStatement(item, index, mode, cache)),
    issues: issues.length > 0 ? issues : NONE,
  };
}

const STAR = -1;
const ANY = -2;

/**
 * A glob as UTF-16 code units, `*` as -1 and `?` as -2, consecutive `*` collapsed. Built from compiled
 * segments (condition values, where an escaped `${*}` is a literal) or from a raw pattern (actions).
 */
export function wildcardPattern(parts: readonly Segment[]): Int32Array {
  const codes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      for (let i = 0; i < part.length; i++) codes.push(part.charCodeAt(i));
    } else if (part.wildcard === '?') codes.push(ANY);
    else if (codes[codes.length - 1] !== STAR) codes.push(STAR);
  }
  return Int32Array.from(codes);
}

/**
 * Anchored glob match (`*` any run, `?` one code unit), iterative with one backtrack point: no RegExp,
 * so a hostile pattern (thousands of `*`) can neither overflow the stack nor backtrack exponentially.
 * O(pattern × text) at worst; a pattern needing more characters than the text has fails at once.
 */
export function wildcardMatch(pattern: Int32Array, text: string): boolean {
  let required = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== STAR) required++;
  if (required > text.length) return false;
  let p = 0;
  let t = 0;
  let starAt = -1;
  let starText = 0;
  while (t < text.length) {
    const code = p < pattern.length ? pattern[p] : STAR - 10;
    if (code === ANY || code === text.charCodeAt(t)) {
      p++;
      t++;
    } else if (code === STAR) {
      starAt = p++;
      starText = t;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++starText;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}

/**
 * IAM action matching: case-insensitive, `*` and `?` wildcards (docs/irsa-semantics.md §2.2.8). A pattern with
 * wildcards is compiled per call: trust statements list one or two short actions.
 */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === action.toLowerCase();
  const parts: Segment[] = [];
  for (const ch of pattern.toLowerCase()) parts.push(ch === '*' || ch === '?' ? { wildcard: ch } : ch);
  return wildcardMatch(wildcardPattern(parts), action.toLowerCase());
}

/** Whether the statement's Action/NotAction covers `action`. */
export function statementCoversAction(statement: NormalizedStatement, action: string): boolean {
  const listed = statement.actions.some((pattern) => actionMatches(pattern, action));
  return statement.notAction ? !listed : listed;
}
