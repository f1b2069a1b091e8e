/**
 * Deployment configuration from CDK context (`-c key=value` or the `context` block of cdk.json), parsed and
 * validated in one pure function so a typo or a bad value fails `cdk synth` with a message that names the
 * key, the value and what was expected — never a half-configured deployment.
 */

import { DEFAULT_MEMBER_ROLE_NAME } from '../lambda/collect/options';
import { ACCOUNT_ID_RE as ACCOUNT_RE, EXTERNAL_ID_RE, REGION_RE } from '../lambda/core/aws-ids';

export type NotifyMode = 'changes' | 'new-only' | 'always';
export type StackSetCallAs = 'SELF' | 'DELEGATED_ADMIN';

export interface AuditorConfig {
  /** EventBridge Scheduler expression: `cron(…)` with six fields or `rate(…)`. */
  schedule: string;
  /** IANA time zone the cron expression is evaluated in. */
  timezone: string;
  /** Regions to audit; empty = every region enabled in each account. */
  regions: string[];
  /** Accounts to audit; empty = every active account of the organization. */
  accounts: string[];
  excludeAccounts: string[];
  /** Organization root or OUs whose accounts are audited; empty = the whole organization. */
  auditOus: string[];
  concurrency?: number;
  accountConcurrency?: number;
  notifyEmails: string[];
  slack?: { workspaceId: string; channelId: string };
  notifyMode: NotifyMode;
  historyRetentionDays: number;
  memberRoleName: string;
  externalId?: string;
  /** Absent: the stacks take it as the CloudFormation parameter `OrgId` at deploy time. */
  orgId?: string;
  /** StackSet deployment targets (root `r-…` or OUs `ou-…`); absent: CloudFormation parameter. */
  targetOus?: string[];
  memberRoleStackSet: boolean;
  stackSetCallAs: StackSetCallAs;
  /** The one region the member-role stack instances go to (IAM is global); absent: the audit stack's region. */
  stackSetRegion?: string;
  memoryMb: number;
  timeoutMinutes: number;
  deadlineMarginSeconds: number;
  logRetentionDays: number;
  metricsNamespace: string;
  /** Also synthesize the plain member-role stack for the management account (StackSets skip it). */
  memberRoleStack: boolean;
  /** The audit function's role ARN, trusted by the plain member-role stack. */
  auditRoleArn?: string;
  /** Non-fatal remarks (e.g. a schedule less frequent than the staleness alarm). */
  warnings: string[];
}

export const DEFAULTS = {
  schedule: 'cron(0 3 * * ? *)',
  timezone: 'UTC',
  notifyMode: 'changes' as NotifyMode,
  historyRetentionDays: 90,
  memberRoleName: DEFAULT_MEMBER_ROLE_NAME,
  stackSetCallAs: 'DELEGATED_ADMIN' as StackSetCallAs,
  memoryMb: 1024,
  timeoutMinutes: 15,
  deadlineMarginSeconds: 120,
  logRetentionDays: 90,
  metricsNamespace: 'IrsaAuditor',
} as const;

/** Every context key this app reads; other camelCase keys are rejected as likely typos. */
export const CONTEXT_KEYS = [
  'schedule',
  'timezone',
  'regions',
  'accounts',
  'excludeAccounts',
  'auditOus',
  'concurrency',
  'accountConcurrency',
  'notifyEmails',
  'slackWorkspaceId',
  'slackChannelId',
  'notifyMode',
  'historyRetentionDays',
  'memberRoleName',
  'externalId',
  'orgId',
  'targetOus',
  'memberRoleStackSet',
  'stackSetCallAs',
  'stackSetRegion',
  'memoryMb',
  'timeoutMinutes',
  'deadlineMarginSeconds',
  'logRetentionDays',
  'metricsNamespace',
  'memberRoleStack',
  'auditRoleArn',
] as const;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(
      `Invalid CDK context (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
const ROOT_RE = /^r-[0-9a-z]{4,32}$/;
const OU_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const EMAIL_RE = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/([\w+=,.@/-]+\/)?[\w+=,.@-]{1,64}$/;
// CloudFormation's own patterns for AWS::Chatbot::SlackChannelConfiguration.
const SLACK_WORKSPACE_RE = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL_RE = /^[A-Za-z0-9]+$/;
const METRICS_NAMESPACE_RE = /^[A-Za-z0-9._/#:-]{1,255}$/;

/**
 * Parses and validates the CDK context. Throws one ConfigError listing every problem found, so a
 * deployment with three typos is fixed in one round.
 */
export function parseConfig(context: Record<string, unknown>): AuditorConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const reader = new ContextReader(context, problems);

  for (const key of Object.keys(context)) {
    // Only plain identifiers can be ours; CDK's own keys contain `:`, `@` or `-`.
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || (CONTEXT_KEYS as readonly string[]).includes(key)) continue;
    const hint = closestKey(key);
    problems.push(
      `unknown context key \`${key}\`${hint ? ` (did you mean \`${hint}\`?)` : ''}; known keys: ${CONTEXT_KEYS.join(', ')}`,
    );
  }

  const schedule = reader.string('schedule') ?? DEFAULTS.schedule;
  const scheduleProblem = scheduleExpressionProblem(schedule);
  if (scheduleProblem) problems.push(`schedule: got ${show(schedule)}; expected ${scheduleProblem}`);
  else if (!runsAtLeastDaily(schedule)) {
    warnings.push(
      `schedule ${show(schedule)} may run less often than daily: the "no successful run in 26 hours" alarm will fire between runs`,
    );
  }

  const timezone = reader.string('timezone') ?? DEFAULTS.timezone;
  if (!isTimeZone(timezone)) {
    problems.push(`timezone: got ${show(timezone)}; expected an IANA time zone such as UTC or Europe/Berlin`);
  }

  const regions = reader.list('regions', REGION_RE, 'AWS region codes such as us-east-1');
  const accounts = reader.list('accounts', ACCOUNT_RE, '12-digit AWS account ids');
  const excludeAccounts = reader.list('excludeAccounts', ACCOUNT_RE, '12-digit AWS account ids');
  const auditOus = reader.list(
    'auditOus',
    (value) => ROOT_RE.test(value) || OU_RE.test(value),
    'r-… or ou-… ids',
  );
  const concurrency = reader.integer('concurrency', 1, 1024);
  const accountConcurrency = reader.integer('accountConcurrency', 1, 64);

  const notifyEmails = reader.list('notifyEmails', EMAIL_RE, 'e-mail addresses');
  const slackWorkspaceId = reader.string('slackWorkspaceId');
  const slackChannelId = reader.string('slackChannelId');
  let slack: AuditorConfig['slack'];
  if (slackWorkspaceId !== undefined && !SLACK_WORKSPACE_RE.test(slackWorkspaceId)) {
    problems.push(
      `slackWorkspaceId: got ${show(slackWorkspaceId)}; expected the Slack workspace id shown in the AWS Chatbot console (upper-case letters and digits, e.g. T01234ABCDE)`,
    );
  }
  if (slackChannelId !== undefined && !SLACK_CHANNEL_RE.test(slackChannelId)) {
    problems.push(
      `slackChannelId: got ${show(slackChannelId)}; expected a Slack channel id (letters and digits, e.g. C0123ABCDEF), not a channel name`,
    );
  }
  if ((slackWorkspaceId === undefined) !== (slackChannelId === undefined)) {
    problems.push(
      'slackWorkspaceId and slackChannelId: set both to add the Slack channel, or neither (only one was given)',
    );
  } else if (slackWorkspaceId !== undefined && slackChannelId !== undefined) {
    slack = { workspaceId: slackWorkspaceId, channelId: slackChannelId };
  }

  const notifyMode =
    reader.oneOf('notifyMode', ['changes', 'new-only', 'always'] as const) ?? DEFAULTS.notifyMode;
  const historyRetentionDays =
    reader.integer('historyRetentionDays', 1, 3650) ?? DEFAULTS.historyRetentionDays;

  const memberRoleName = reader.string('memberRoleName') ?? DEFAULTS.memberRoleName;
  if (!ROLE_NAME_RE.test(memberRoleName)) {
    problems.push(
      `memberRoleName: got ${show(memberRoleName)}; expected an IAM role name (1-64 characters from A-Z a-z 0-9 +=,.@_-)`,
    );
  }
  const externalId = reader.string('externalId');
  if (externalId !== undefined && !EXTERNAL_ID_RE.test(externalId)) {
    problems.push(
      `externalId: got ${show(externalId)}; expected 2-1224 characters from A-Z a-z 0-9 +=,.@:/_- (STS ExternalId)`,
    );
  }

  const orgId = reader.string('orgId');
  if (orgId !== undefined && !ORG_ID_RE.test(orgId)) {
    problems.push(
      `orgId: got ${show(orgId)}; expected an AWS Organizations id o-[a-z0-9]{10,32} (aws organizations describe-organization --query Organization.Id)`,
    );
  }
  const targetOusList = reader.list(
    'targetOus',
    (value) => ROOT_RE.test(value) || OU_RE.test(value),
    'the organization root id r-… or OU ids ou-…-…',
  );
  if (targetOusList.some((value) => ROOT_RE.test(value)) && targetOusList.length > 1) {
    problems.push(
      `targetOus: got ${show(targetOusList.join(','))}; expected either the root id alone (the whole organization) or OU ids, not both`,
    );
  }
  const targetOus = targetOusList.length > 0 ? targetOusList : undefined;

  const memberRoleStackSet = reader.boolean('memberRoleStackSet') ?? true;
  const stackSetCallAs =
    reader.oneOf('stackSetCallAs', ['SELF', 'DELEGATED_ADMIN'] as const) ?? DEFAULTS.stackSetCallAs;
  const stackSetRegion = reader.string('stackSetRegion');
  if (stackSetRegion !== undefined && !REGION_RE.test(stackSetRegion)) {
    problems.push(
      `stackSetRegion: got ${show(stackSetRegion)}; expected one AWS region code such as us-east-1`,
    );
  }

  const memoryMb = reader.integer('memoryMb', 128, 10240) ?? DEFAULTS.memoryMb;
  const timeoutMinutes = reader.integer('timeoutMinutes', 1, 15) ?? DEFAULTS.timeoutMinutes;
  // The handler stops starting new accounts this long before the Lambda timeout; more than half the
  // timeout would leave too little time to audit anything.
  const maxMargin = Math.floor((timeoutMinutes * 60) / 2);
  const deadlineMarginSeconds =
    reader.integer(
      'deadlineMarginSeconds',
      10,
      maxMargin,
      `(at most half of timeoutMinutes=${timeoutMinutes})`,
    ) ?? Math.min(DEFAULTS.deadlineMarginSeconds, maxMargin);

  const logRetentionDays = reader.integer('logRetentionDays', 1, 3653) ?? DEFAULTS.logRetentionDays;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(
      `logRetentionDays: got ${show(String(logRetentionDays))}; expected one of the CloudWatch Logs retention periods ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  const metricsNamespace = reader.string('metricsNamespace') ?? DEFAULTS.metricsNamespace;
  if (!METRICS_NAMESPACE_RE.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    problems.push(
      `metricsNamespace: got ${show(metricsNamespace)}; expected a CloudWatch namespace (1-255 characters from A-Z a-z 0-9 . - _ / # :, not starting with AWS/)`,
    );
  }

  const memberRoleStack = reader.boolean('memberRoleStack') ?? false;
  const auditRoleArn = reader.string('auditRoleArn');
  if (auditRoleArn !== undefined && !ROLE_ARN_RE.test(auditRoleArn)) {
    problems.push(
      `auditRoleArn: got ${show(auditRoleArn)}; expected an IAM role ARN arn:aws:iam::123456789012:role/… (the AuditFunctionRoleArn output of the audit stack)`,
    );
  }
  if (memberRoleStack && auditRoleArn === undefined) {
    problems.push(
      'auditRoleArn: required when memberRoleStack=true; expected the AuditFunctionRoleArn output of the deployed audit stack',
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    schedule,
    timezone,
    regions,
    accounts,
    excludeAccounts,
    auditOus,
    concurrency,
    accountConcurrency,
    notifyEmails,
    slack,
    notifyMode,
    historyRetentionDays,
    memberRoleName,
    externalId,
    orgId,
    targetOus,
    memberRoleStackSet,
    stackSetCallAs,
    stackSetRegion,
    memoryMb,
    timeoutMinutes,
    deadlineMarginSeconds,
    logRetentionDays,
    metricsNamespace,
    memberRoleStack,
    auditRoleArn,
    warnings,
  };
}

/**
 * Why an expression is not a recurring EventBridge Scheduler expression, or undefined when it is one.
 * Scheduler cron has six fields (minutes hours day-of-month month day-of-week year) and exactly one of
 * the two day fields must be `?`.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return 'a rate of at least 1';
    const unit = rate[2].replace(/s$/, '');
    if ((value === 1) !== (rate[2] === unit)) {
      return `rate(${value} ${value === 1 ? unit : `${unit}s`}) (singular unit for 1, plural otherwise)`;
    }
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  const usage =
    'cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 3 * * ? *), or rate(1 day)';
  if (!cron) return usage;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return `${usage} — six fields, got ${fields.length}`;
  if (!fields.every((field) => /^[0-9A-Za-z*?,/#LW-]+$/.test(field))) return usage;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return `${usage} — exactly one of day-of-month and day-of-week must be ?`;
  }
  return undefined;
}

/** Conservative: true only for expressions that plainly fire at least once a day. */
function runsAtLeastDaily(expression: string): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const hours = rate[2].startsWith('minute') ? value / 60 : rate[2].startsWith('hour') ? value : value * 24;
    return hours <= 24;
  }
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1].trim().split(/\s+/) ?? [];
  const [, , dayOfMonth, month, dayOfWeek, year] = fields;
  return ['*', '?'].includes(dayOfMonth) && ['*', '?'].includes(dayOfWeek) && month === '*' && year === '*';
}

function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of CONTEXT_KEYS) {
    const distance = known.toLowerCase() === key.toLowerCase() ? 0 : editDistance(known, key);
    if (distance <= 3 && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}

/**
 * Reads one context value. `-c key=value` always yields strings; cdk.json may hold numbers, booleans
 * or arrays. An empty string counts as absent, so `-c regions=` clears a value set in cdk.json.
 */
class ContextReader {
  constructor(
    private readonly context: Record<string, unknown>,
    private readonly problems: string[],
  ) {}

  string(key: string): string | undefined {
    const value = this.context[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') {
      this.problems.push(
        `${key}: got ${typeof value === 'object' ? 'a JSON object or array' : typeof value}; expected a string`,
      );
      return undefined;
    }
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  list(key: string, valid: RegExp | ((value: string) => boolean), expected: string): string[] {
    const value = this.context[key];
    let items: string[];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) items = value;
    else if (typeof value === 'string') items = value.split(',');
    else {
      this.problems.push(
        `${key}: got ${JSON.stringify(value)}; expected a comma-separated list of ${expected}`,
      );
      return [];
    }
    items = items.map((item) => item.trim()).filter((item) => item !== '');
    const test = typeof valid === 'function' ? valid : (item: string) => valid.test(item);
    const bad = items.filter((item) => !test(item));
    if (bad.length > 0) {
      this.problems.push(
        `${key}: got ${bad.map(show).join(', ')}; expected a comma-separated list of ${expected}`,
      );
      return [];
    }
    return [...new Set(items)];
  }

  integer(key: string, min: number, max: number, note = ''): number | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(
        `${key}: got ${show(raw)}; expected an integer from ${min} to ${max}${note ? ` ${note}` : ''}`,
      );
      return undefined;
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    this.problems.push(`${key}: got ${show(raw)}; expected true or false`);
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(key);
    if (raw === undefined) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${key}: got ${show(raw)}; expected one of ${allowed.join(', ')}`);
    return undefined;
  }
}
