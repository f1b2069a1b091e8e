/**
 * A deliberately simple, brute-force reference evaluator for web-identity trust policies, written
 * from docs/irsa-semantics.md §2.2–2.3 and docs/checks.md alone (nothing imported from
 * lambda/core/policy). It reads the policy JSON as written and answers for one token with Kleene
 * (three-valued) logic: `undefined` is "cannot be decided" (unknown operator, unresolvable policy
 * variable, NotAction, Principal "*" — docs/checks.md `trust.indeterminate`).
 *
 * It only has to be right on the well-formed policies the oracle generator produces: Version
 * present or absent, Effect Allow/Deny, Principal.Federated string or array, Action/NotAction string
 * or array, Condition with string/boolean values. Anything else is `undefined` (not compared).
 */

export interface OracleToken {
  issuer: string;
  sub: string;
  aud: string;
}

export interface OracleRole {
  accountId: string;
  partition: string;
}

export type Verdict = 'allow' | 'deny' | 'indeterminate';
type Tri = boolean | undefined;

const ACTION = 'sts:AssumeRoleWithWebIdentity';

function and(values: Tri[]): Tri {
  if (values.includes(false)) return false;
  return values.includes(undefined) ? undefined : true;
}

function or(values: Tri[]): Tri {
  if (values.includes(true)) return true;
  return values.includes(undefined) ? undefined : false;
}

function not(value: Tri): Tri {
  return value === undefined ? undefined : !value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** A pattern as a list of tokens: a literal character, or a `*` / `?` wildcard. */
type Token = { literal: string } | { wildcard: '*' | '?' };

/**
 * Tokenises a condition value. Version 2012-10-17: `${*}`, `${?}`, `${$}` are literal characters and
 * any other `${…}` is a policy variable (unknown here → undefined). 2008-10-17: `${…}` is plain text.
 * No Version: either reading is possible (docs/irsa-semantics.md §2.2.6 [U]); `valueMatches` tries both.
 * Wildcards are only wildcards for Like operators.
 */
function tokens(value: string, version: string | undefined, like: boolean): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < value.length) {
    if (version !== '2008-10-17' && value.startsWith('${', i)) {
      const close = value.indexOf('}', i + 2);
      if (close > 0) {
        const inner = value.slice(i + 2, close);
        if (inner === '*' || inner === '?' || inner === '$') {
          out.push({ literal: inner });
          i = close + 1;
          continue;
        }
        return undefined;
      }
    }
    const ch = value[i];
    if (like && (ch === '*' || ch === '?')) out.push({ wildcard: ch });
    else out.push({ literal: ch });
    i++;
  }
  return out;
}

/** Brute-force anchored glob match: tries every split for `*`. */
function globMatch(pattern: Token[], text: string, p = 0, t = 0): boolean {
  if (p === pattern.length) return t === text.length;
  const token = pattern[p];
  if ('wildcard' in token) {
    if (token.wildcard === '?') return t < text.length && globMatch(pattern, text, p + 1, t + 1);
    for (let k = t; k <= text.length; k++) if (globMatch(pattern, text, p + 1, k)) return true;
    return false;
  }
  return t < text.length && text[t] === token.literal && globMatch(pattern, text, p + 1, t + 1);
}

interface ParsedOperator {
  base: 'StringEquals' | 'StringLike' | 'StringEqualsIgnoreCase' | 'Null';
  negated: boolean;
  ifExists: boolean;
  set?: 'ForAnyValue' | 'ForAllValues';
}

const BASES: Record<string, { base: ParsedOperator['base']; negated: boolean }> = {
  StringEquals: { base: 'StringEquals', negated: false },
  StringNotEquals: { base: 'StringEquals', negated: true },
  StringLike: { base: 'StringLike', negated: false },
  StringNotLike: { base: 'StringLike', negated: true },
  StringEqualsIgnoreCase: { base: 'StringEqualsIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { base: 'StringEqualsIgnoreCase', negated: true },
  Null: { base: 'Null', negated: false },
};

function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'];
  const prefix = (['ForAnyValue', 'ForAllValues'] as const).find((name) => rest.startsWith(`${name}:`));
  if (prefix) {
    set = prefix;
    rest = rest.slice(prefix.length + 1);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const known = BASES[rest];
  if (!known || (known.base === 'Null' && (ifExists || set))) return undefined;
  return { ...known, ifExists, set };
}

/** The request context of an EKS token: only `<issuer>:sub` and `<issuer>:aud`, keys case-insensitive. */
function lookup(key: string, token: OracleToken): string | undefined {
  const lower = key.toLowerCase();
  if (lower === `${token.issuer.toLowerCase()}:sub`) return token.sub;
  if (lower === `${token.issuer.toLowerCase()}:aud`) return token.aud;
  return undefined;
}

function valueMatches(
  operator: ParsedOperator,
  policyValue: string,
  actual: string,
  version: string | undefined,
): Tri {
  if (version === undefined) {
    // Unknown default Version: decided only when the 2012 and the 2008 readings agree.
    const modern = valueMatches(operator, policyValue, actual, '2012-10-17');
    const legacy = valueMatches(operator, policyValue, actual, '2008-10-17');
    return modern === legacy ? modern : undefined;
  }
  const pattern = tokens(policyValue, version, operator.base === 'StringLike');
  if (!pattern) return undefined;
  if (operator.base === 'StringEqualsIgnoreCase') {
    const literal = pattern.map((token) => ('literal' in token ? token.literal : token.wildcard)).join('');
    return literal.toLowerCase() === actual.toLowerCase();
  }
  return globMatch(pattern, actual);
}

function clause(
  operatorName: string,
  key: string,
  rawValues: unknown,
  token: OracleToken,
  version: string | undefined,
): Tri {
  const operator = parseOperator(operatorName);
  if (!operator) return undefined;
  const values = list(rawValues).map((value) => String(value));
  const actual = lookup(key, token);
  if (operator.base === 'Null') {
    // "true": the key is absent; "false": present. Several values: any of them (OR).
    return or(
      values.map((value) => {
        const wanted = value.toLowerCase();
        if (wanted !== 'true' && wanted !== 'false') return undefined;
        return (wanted === 'true') === (actual === undefined);
      }),
    );
  }
  if (actual === undefined) {
    if (operator.ifExists) return true;
    if (operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
    return operator.negated;
  }
  // One present value: set operators behave like the base operator (docs/irsa-semantics.md §2.2.5).
  const matched = or(values.map((value) => valueMatches(operator, value, actual, version)));
  return operator.negated ? not(matched) : matched;
}

function actionMatches(pattern: string, action: string): boolean {
  const glob: Token[] = [...pattern.toLowerCase()].map((ch) =>
    ch === '*' || ch === '?' ? { wildcard: ch } : { literal: ch },
  );
  return globMatch(glob, action.toLowerCase());
}

export function statementApplies(
  statement: Record<string, unknown>,
  role: OracleRole,
  token: OracleToken,
  version: string | undefined,
): Tri {
  const providerArn = `arn:${role.partition}:iam::${role.accountId}:oidc-provider/${token.issuer}`;
  const principal = statement.Principal as Record<string, unknown> | string;
  let principalHit: Tri;
  if (principal === '*') principalHit = undefined;
  else principalHit = list((principal as Record<string, unknown>).Federated).includes(providerArn);

  let actionHit: Tri;
  if ('NotAction' in statement) {
    // NotAction in a trust policy is undocumented (docs/checks.md: indeterminate), unless it names the action.
    actionHit = list(statement.NotAction).some((pattern) => actionMatches(String(pattern), ACTION))
      ? false
      : undefined;
  } else {
    actionHit = list(statement.Action).some((pattern) => actionMatches(String(pattern), ACTION));
  }

  const conditions: Tri[] = [];
  const block = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [operatorName, keys] of Object.entries(block)) {
    for (const [key, values] of Object.entries(keys)) {
      conditions.push(clause(operatorName, key, values, token, version));
      // docs/checks.md: a construct whose meaning is unknown is reported, not guessed. With no Version a
      // `${` makes the statement at best undecidable (it can still be definitely inapplicable).
      if (version === undefined && list(values).some((value) => String(value).includes('${'))) {
        conditions.push(undefined);
      }
    }
  }
  return and([principalHit, actionHit, ...conditions]);
}

/** The verdict IAM would give (or indeterminate), following docs/irsa-semantics.md §2.3 with Kleene logic. */
export function oracleVerdict(
  policy: Record<string, unknown>,
  role: OracleRole,
  token: OracleToken,
): Verdict {
  const version = policy.Version as string | undefined;
  const statements = list(policy.Statement) as Record<string, unknown>[];
  const allowed = or(
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => statementApplies(statement, role, token, version)),
  );
  const denied = or(
    statements
      .filter((statement) => statement.Effect === 'Deny')
      .map((statement) => statementApplies(statement, role, token, version)),
  );
  // Deny wins; no applicable Allow is an implicit deny.
  const result = and([allowed, not(denied)]);
  return result === undefined ? 'indeterminate' : result ? 'allow' : 'deny';
}
