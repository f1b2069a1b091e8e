/**
 * Every setting of irsa-auditor in one table: its type, default, the Lambda environment variable, the
 * CDK context key and the CLI flag that carry it, the rule a value must follow, and one line of
 * documentation. The Lambda configuration (lambda/config.ts), the CDK configuration (infra/config.ts)
 * and the CLI flags read it, so the three accept and reject the same values; the settings tables of
 * docs/deployment.md are generated from it. Pure data and pure functions.
 */
import { NOTIFY_MODES, type NotifyMode } from '../app/notify-mode';
import { parseRoleArn } from '../core/arn';
import { ACCOUNT_ID_RE, EXTERNAL_ID_RE, OU_OR_ROOT_RE, REGION_RE, splitRoleName } from '../core/aws-ids';

export { splitRoleName };

/** The member role the StackSet creates in every account; `--role-name` / `memberRoleName` override it. */
export const DEFAULT_MEMBER_ROLE_NAME = 'IrsaAuditorMemberRole';

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export type StackSetCallAs = 'SELF' | 'DELEGATED_ADMIN';

/** Where a setting is documented in docs/deployment.md (one table per group). */
export type SettingGroup = 'Schedule and scope' | 'Notifications and results' | 'Member role' | 'Function';

interface SettingBase {
  /** One line for docs/deployment.md (Markdown). */
  readonly doc: string;
  /** The docs' default column when it is not the default value itself (`all enabled`, `none`). */
  readonly defaultDoc?: string;
  /** Environment variable the audit Lambda reads. */
  readonly env?: string;
  /** CDK context key (`-c key=value`). */
  readonly context?: string;
  /** CLI flag, without the dashes. */
  readonly flag?: string;
  /** Environment variable the CLI falls back to when the flag is not given. */
  readonly cliEnv?: string;
  /** A shared secret: messages never echo the value. */
  readonly secret?: boolean;
  /** Group of docs/deployment.md's settings tables; absent: not a deployment setting. */
  readonly group?: SettingGroup;
}

/**
 * A validator returns undefined for a valid value, else what was expected, as a noun phrase
 * (`an AWS region code such as eu-west-1`): each entry point words its message around it.
 */
export type Validator = (value: string) => string | undefined;

export interface StringSetting extends SettingBase {
  readonly type: 'string';
  readonly default?: string;
  readonly validate: Validator;
}

/** Comma-separated (`-c`, environment: also whitespace-separated); each item validated. */
export interface ListSetting extends SettingBase {
  readonly type: 'list';
  readonly validateItem: Validator;
}

export interface IntegerSetting extends SettingBase {
  readonly type: 'integer';
  readonly default?: number;
  readonly min: number;
  readonly max: number;
  /** When only some integers of the range are valid, and what they are (`the CloudWatch Logs retention periods`). */
  readonly allowed?: readonly number[];
  readonly allowedName?: string;
}

export interface BooleanSetting extends SettingBase {
  readonly type: 'boolean';
  readonly default: boolean;
}

export interface EnumSetting<T extends string = string> extends SettingBase {
  readonly type: 'enum';
  readonly values: readonly T[];
  readonly default: T;
}

export type Setting = StringSetting | ListSetting | IntegerSetting | BooleanSetting | EnumSetting;

/** A validator from a pattern and the phrase naming what it accepts. */
export function matching(pattern: RegExp, expected: string): Validator {
  return (value) => (pattern.test(value) ? undefined : expected);
}

const ROLE_NAME_EXPECTED =
  'an IAM role name (1-64 characters from A-Z a-z 0-9 +=,.@_-), optionally after its path (audit/IrsaAuditorMemberRole)';

const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
const EMAIL_RE = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const TOPIC_RE = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const TABLE_RE = /^[A-Za-z0-9_.-]{3,255}$/;
// CloudFormation's own patterns for AWS::Chatbot::SlackChannelConfiguration.
const SLACK_WORKSPACE_RE = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL_RE = /^[A-Za-z0-9]+$/;
const METRICS_NAMESPACE_RE = /^[A-Za-z0-9._/#:-]{1,255}$/;

const REGION_EXPECTED = 'an AWS region code such as eu-west-1';
const ACCOUNT_EXPECTED = 'a 12-digit AWS account id';
const OU_EXPECTED = 'an OU id (ou-…) or root id (r-…)';

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

function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The table. Keys are the settings' names; `satisfies` keeps each entry's own type for readers. */
export const SETTINGS = {
  schedule: {
    type: 'string',
    default: 'cron(0 3 * * ? *)',
    context: 'schedule',
    group: 'Schedule and scope',
    doc: 'EventBridge Scheduler expression: `cron(min hour day-of-month month day-of-week year)`, with one day field `?`, or `rate(…)`',
    validate: scheduleExpressionProblem,
  },
  timezone: {
    type: 'string',
    default: 'UTC',
    context: 'timezone',
    group: 'Schedule and scope',
    doc: 'IANA time zone for the cron expression, e.g. `Europe/Berlin`',
    validate: (value) => (isTimeZone(value) ? undefined : 'an IANA time zone such as UTC or Europe/Berlin'),
  },
  regions: {
    type: 'list',
    env: 'AUDIT_REGIONS',
    context: 'regions',
    flag: 'regions',
    group: 'Schedule and scope',
    defaultDoc: 'all enabled',
    doc: 'comma list of regions to audit',
    validateItem: matching(REGION_RE, REGION_EXPECTED),
  },
  accounts: {
    type: 'list',
    env: 'AUDIT_ACCOUNTS',
    context: 'accounts',
    flag: 'accounts',
    group: 'Schedule and scope',
    defaultDoc: 'all',
    doc: 'comma list of 12-digit account ids to audit',
    validateItem: matching(ACCOUNT_ID_RE, ACCOUNT_EXPECTED),
  },
  excludeAccounts: {
    type: 'list',
    env: 'AUDIT_EXCLUDE_ACCOUNTS',
    context: 'excludeAccounts',
    flag: 'exclude-accounts',
    group: 'Schedule and scope',
    defaultDoc: 'none',
    doc: 'comma list of 12-digit account ids to skip',
    validateItem: matching(ACCOUNT_ID_RE, ACCOUNT_EXPECTED),
  },
  ous: {
    type: 'list',
    env: 'AUDIT_OUS',
    context: 'auditOus',
    flag: 'ous',
    group: 'Schedule and scope',
    defaultDoc: 'whole organization',
    doc: 'root or OU ids whose accounts are audited',
    validateItem: matching(OU_OR_ROOT_RE, OU_EXPECTED),
  },
  excludeOus: {
    type: 'list',
    flag: 'exclude-ous',
    doc: 'skip accounts under these OUs or roots',
    validateItem: matching(OU_OR_ROOT_RE, OU_EXPECTED),
  },
  concurrency: {
    type: 'integer',
    default: 32,
    min: 1,
    max: 1024,
    env: 'AUDIT_CONCURRENCY',
    context: 'concurrency',
    flag: 'concurrency',
    group: 'Schedule and scope',
    doc: 'AWS calls in flight across the run',
  },
  accountConcurrency: {
    type: 'integer',
    default: 4,
    min: 1,
    max: 64,
    env: 'AUDIT_ACCOUNT_CONCURRENCY',
    context: 'accountConcurrency',
    group: 'Schedule and scope',
    doc: 'AWS calls in flight per account',
  },
  resultsTable: {
    type: 'string',
    env: 'RESULTS_TABLE',
    flag: 'table',
    cliEnv: 'IRSA_AUDIT_TABLE',
    doc: 'the DynamoDB results table (the CDK app creates it and sets the variable)',
    validate: matching(TABLE_RE, 'a DynamoDB table name'),
  },
  securityHub: {
    type: 'boolean',
    default: false,
    env: 'SECURITY_HUB',
    context: 'securityHub',
    group: 'Notifications and results',
    doc: 'import the findings into AWS Security Hub in the audit account, and archive the resolved ones ([§14](#14-security-hub-and-the-report-bucket))',
  },
  reportBucket: {
    type: 'string',
    env: 'REPORT_BUCKET',
    context: 'reportBucket',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: "`create`: the stack creates a private, encrypted bucket for each run's HTML report; or the name of an existing bucket; the notification links to the report ([§14](#14-security-hub-and-the-report-bucket))",
    validate: (value) =>
      value === 'create' || /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)
        ? undefined
        : '`create` or an S3 bucket name (3-63 characters: a-z 0-9 . -)',
  },
  reportPrefix: {
    type: 'string',
    default: 'irsa-audit/',
    env: 'REPORT_PREFIX',
    context: 'reportPrefix',
    group: 'Notifications and results',
    doc: 'key prefix of the reports in the report bucket',
    validate: matching(/^([A-Za-z0-9!_.*'()-]+\/)*$/, 'a key prefix ending in `/` (or empty)'),
  },
  reportRetentionDays: {
    type: 'integer',
    default: 90,
    context: 'reportRetentionDays',
    group: 'Notifications and results',
    min: 1,
    max: 3650,
    doc: "days a run's report is kept in a bucket the stack created (`latest.html` stays)",
  },
  checksDocUrl: {
    type: 'string',
    env: 'CHECKS_DOC_URL',
    context: 'checksDocUrl',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: "where your copy of docs/checks.md is published: SARIF rules and Security Hub findings link to each check's section",
    validate: matching(/^https:\/\/[^\s#]+$/, 'an https URL without a fragment'),
  },
  topicArn: {
    type: 'string',
    env: 'TOPIC_ARN',
    doc: 'the SNS topic notifications go to (the CDK app creates it and sets the variable)',
    validate: matching(TOPIC_RE, 'an SNS topic ARN'),
  },
  notifyEmails: {
    type: 'list',
    context: 'notifyEmails',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: 'comma list of e-mail addresses subscribed to the topic',
    validateItem: matching(EMAIL_RE, 'an e-mail address'),
  },
  slackWorkspaceId: {
    type: 'string',
    context: 'slackWorkspaceId',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: 'with `slackChannelId` (both or neither): adds the AWS Chatbot Slack channel',
    validate: matching(
      SLACK_WORKSPACE_RE,
      'the Slack workspace id shown in the AWS Chatbot console (upper-case letters and digits, e.g. T01234ABCDE)',
    ),
  },
  slackChannelId: {
    type: 'string',
    context: 'slackChannelId',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: 'the Slack channel id (not its name), with `slackWorkspaceId`',
    validate: matching(
      SLACK_CHANNEL_RE,
      'a Slack channel id (letters and digits, e.g. C0123ABCDEF), not a channel name',
    ),
  },
  notifyMode: {
    type: 'enum',
    values: NOTIFY_MODES,
    default: 'changes',
    env: 'NOTIFY_MODE',
    context: 'notifyMode',
    group: 'Notifications and results',
    doc: '`changes`, `new-only` or `always` ([notifications.md](notifications.md))',
  } satisfies EnumSetting<NotifyMode>,
  historyRetentionDays: {
    type: 'integer',
    default: 90,
    min: 1,
    max: 3650,
    env: 'HISTORY_RETENTION_DAYS',
    context: 'historyRetentionDays',
    group: 'Notifications and results',
    doc: "days resolved findings' history is kept: the TTL the store sets",
  },
  suppressionsFile: {
    type: 'string',
    env: 'SUPPRESSIONS_FILE',
    context: 'suppressionsFile',
    flag: 'suppressions',
    group: 'Notifications and results',
    defaultDoc: 'none',
    doc: 'the suppressions file (YAML or JSON, [suppressions.md](suppressions.md)): `cdk synth` validates it and bundles it into the function, which reads it on every run',
    validate: (value) =>
      /\.(ya?ml|json)$/i.test(value.trim())
        ? undefined
        : 'a path to a .yaml, .yml or .json suppressions file',
  },
  memberRoleName: {
    type: 'string',
    default: DEFAULT_MEMBER_ROLE_NAME,
    env: 'MEMBER_ROLE_NAME',
    context: 'memberRoleName',
    flag: 'role-name',
    // `irsa-audit access` reads the Lambda's variable (its flag is `--member-role-name`).
    cliEnv: 'MEMBER_ROLE_NAME',
    group: 'Member role',
    doc: 'name of the read-only role in every account, after its IAM path if it has one (`audit/IrsaAuditorMemberRole`)',
    validate: (value) => (splitRoleName(value) ? undefined : ROLE_NAME_EXPECTED),
  },
  externalId: {
    type: 'string',
    env: 'MEMBER_ROLE_EXTERNAL_ID',
    context: 'externalId',
    flag: 'external-id',
    secret: true,
    group: 'Member role',
    defaultDoc: 'none',
    doc: 'optional `sts:ExternalId` the member role requires and the function sends',
    validate: matching(
      EXTERNAL_ID_RE,
      'a valid STS external id (2-1224 characters from A-Z a-z 0-9 +=,.@:/_-)',
    ),
  },
  assumeRoleInOwnAccount: {
    type: 'boolean',
    default: false,
    flag: 'assume-in-own-account',
    doc: "assume the member role in the caller's own account too, as the audit Lambda always does (CLI; default: read that account with the caller's credentials)",
  },
  orgId: {
    type: 'string',
    context: 'orgId',
    group: 'Member role',
    defaultDoc: 'deploy-time parameter',
    doc: "`o-…`. Required in the member trust (`aws:PrincipalOrgID`) and in the function's `aws:ResourceOrgID` condition",
    validate: matching(
      ORG_ID_RE,
      'an AWS Organizations id o-[a-z0-9]{10,32} (aws organizations describe-organization --query Organization.Id)',
    ),
  },
  targetOus: {
    type: 'list',
    context: 'targetOus',
    group: 'Member role',
    defaultDoc: 'deploy-time parameter',
    doc: 'where the StackSet deploys: the root id `r-…` alone, or OU ids `ou-…`',
    validateItem: matching(OU_OR_ROOT_RE, 'the organization root id r-… or an OU id ou-…-…'),
  },
  memberRoleStackSet: {
    type: 'boolean',
    default: true,
    context: 'memberRoleStackSet',
    group: 'Member role',
    doc: '`false` if you roll out the role some other way',
  },
  stackSetCallAs: {
    type: 'enum',
    values: ['SELF', 'DELEGATED_ADMIN'],
    default: 'DELEGATED_ADMIN',
    context: 'stackSetCallAs',
    group: 'Member role',
    doc: '`SELF` when the audit stack is deployed in the management account',
  } satisfies EnumSetting<StackSetCallAs>,
  stackSetRegion: {
    type: 'string',
    context: 'stackSetRegion',
    group: 'Member role',
    defaultDoc: "the stack's region",
    doc: "the one region the role's stack instances go to (IAM is global)",
    validate: matching(REGION_RE, 'one AWS region code such as us-east-1'),
  },
  auditAccountMemberRole: {
    type: 'boolean',
    default: true,
    context: 'auditAccountMemberRole',
    group: 'Member role',
    doc: 'the audit stack puts the member role into its own account, which the StackSet then leaves out; `false` if the role reaches that account some other way ([§4](#4-rolling-out-the-member-role))',
  },
  memberRoleStack: {
    type: 'boolean',
    default: false,
    context: 'memberRoleStack',
    group: 'Member role',
    doc: 'also synthesize the plain member-role stack `IrsaAuditorMemberRole` ([§5](#5-the-member-role-in-the-management-account))',
  },
  auditRoleArn: {
    type: 'string',
    context: 'auditRoleArn',
    group: 'Member role',
    defaultDoc: '—',
    doc: 'required with `memberRoleStack=true`: the `AuditFunctionRoleArn` output',
    // The core's role-ARN parser (the one the checks use), plus IAM's 64-character name limit.
    validate: (value) => {
      const parts = parseRoleArn(value);
      return parts && splitRoleName(parts.name)
        ? undefined
        : 'an IAM role ARN arn:aws:iam::123456789012:role/… (the AuditFunctionRoleArn output of the audit stack)';
    },
  },
  memoryMb: {
    type: 'integer',
    // One full vCPU (Lambda gives CPU in proportion to memory): the speed bench:scale measured on one
    // core, and memory for the accounts that speed fits in 15 minutes (docs/performance.md "Scale").
    default: 1769,
    min: 128,
    max: 10240,
    context: 'memoryMb',
    group: 'Function',
    doc: 'function memory in MB (1769: one full vCPU); see docs/performance.md "Scale" for what it holds',
  },
  timeoutMinutes: {
    type: 'integer',
    default: 15,
    min: 1,
    max: 15,
    context: 'timeoutMinutes',
    group: 'Function',
    doc: 'function timeout',
  },
  deadlineMarginSeconds: {
    type: 'integer',
    default: 120,
    min: 10,
    max: 840,
    env: 'DEADLINE_MARGIN_SECONDS',
    context: 'deadlineMarginSeconds',
    group: 'Function',
    doc: 'seconds before the timeout after which the run starts no new account; the CDK app allows at most half the timeout',
  },
  logRetentionDays: {
    type: 'integer',
    default: 90,
    min: 1,
    max: 3653,
    allowed: LOG_RETENTION_DAYS,
    allowedName: 'the CloudWatch Logs retention periods',
    context: 'logRetentionDays',
    group: 'Function',
    doc: 'days the function logs are kept: a CloudWatch Logs retention period',
  },
  metricsNamespace: {
    type: 'string',
    default: 'IrsaAuditor',
    env: 'POWERTOOLS_METRICS_NAMESPACE',
    context: 'metricsNamespace',
    group: 'Function',
    doc: "namespace of the handler's metrics",
    validate: (value) =>
      METRICS_NAMESPACE_RE.test(value) && !value.startsWith('AWS/')
        ? undefined
        : 'a CloudWatch namespace (1-255 characters from A-Z a-z 0-9 . - _ / # :, not starting with AWS/)',
  },
  // ── Distributed mode (docs/architecture.md "Distributed mode") ──
  scale: {
    type: 'enum',
    values: ['single', 'distributed'],
    default: 'single',
    context: 'scale',
    group: 'Function',
    doc: '`single` (one Lambda run) or `distributed` (a Step Functions Distributed Map over the accounts; [deployment.md](deployment.md#15-distributed-mode))',
  } satisfies EnumSetting<'single' | 'distributed'>,
  expectedAccounts: {
    type: 'integer',
    min: 1,
    max: 100_000,
    context: 'expectedAccounts',
    group: 'Function',
    defaultDoc: 'unset',
    doc: 'accounts you expect to audit: synth warns when the chosen `scale` and memory will not fit them ([performance.md](performance.md#scale))',
  },
  evaluateMemoryMb: {
    type: 'integer',
    default: 4096,
    min: 1024,
    max: 10240,
    context: 'evaluateMemoryMb',
    group: 'Function',
    doc: 'distributed mode: memory in MB of the evaluate step, which holds the whole organization (about 300 MB per 1,000 accounts measured; `expectedAccounts` says when to raise it)',
  },
  mapBatchSize: {
    type: 'integer',
    default: 25,
    min: 1,
    max: 500,
    context: 'mapBatchSize',
    group: 'Function',
    doc: 'distributed mode: accounts per collect child (`ItemBatcher`)',
  },
  mapMaxConcurrency: {
    type: 'integer',
    default: 40,
    min: 1,
    max: 1000,
    context: 'mapMaxConcurrency',
    group: 'Function',
    doc: 'distributed mode: collect children running at once (`MaxConcurrency`)',
  },
  mapToleratedFailurePercentage: {
    type: 'integer',
    default: 10,
    min: 0,
    max: 100,
    context: 'mapToleratedFailurePercentage',
    group: 'Function',
    doc: 'distributed mode: failed collect children tolerated (their accounts are reported not scanned); above it the run fails',
  },
  artifactBucket: {
    type: 'string',
    env: 'ARTIFACT_BUCKET',
    doc: 'distributed mode: the run-artifact bucket (the CDK app creates it and sets the variable)',
    validate: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  },
  runLockTtlSeconds: {
    type: 'integer',
    default: 960,
    min: 60,
    max: 86_400,
    env: 'RUN_LOCK_TTL_SECONDS',
    doc: 'distributed mode: the run lock lease the plan step takes, covering the whole execution (the CDK app sets it from the state machine timeout)',
  },
  profile: {
    type: 'string',
    flag: 'profile',
    doc: "AWS profile for the caller's credentials (CLI)",
    validate: (value) => (value.trim() === '' ? 'a profile name' : undefined),
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The setting names in the table's order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The audit Lambda's environment variables, by the name lambda/config.ts and infra/ use for them. */
export const ENV = {
  table: SETTINGS.resultsTable.env,
  topic: SETTINGS.topicArn.env,
  memberRoleName: SETTINGS.memberRoleName.env,
  externalId: SETTINGS.externalId.env,
  regions: SETTINGS.regions.env,
  accounts: SETTINGS.accounts.env,
  excludeAccounts: SETTINGS.excludeAccounts.env,
  ous: SETTINGS.ous.env,
  concurrency: SETTINGS.concurrency.env,
  accountConcurrency: SETTINGS.accountConcurrency.env,
  deadlineMarginSeconds: SETTINGS.deadlineMarginSeconds.env,
  notifyMode: SETTINGS.notifyMode.env,
  historyRetentionDays: SETTINGS.historyRetentionDays.env,
  suppressionsFile: SETTINGS.suppressionsFile.env,
  securityHub: SETTINGS.securityHub.env,
  reportBucket: SETTINGS.reportBucket.env,
  reportPrefix: SETTINGS.reportPrefix.env,
  checksDocUrl: SETTINGS.checksDocUrl.env,
} as const;

/** Every CDK context key the app reads; other camelCase keys are rejected as likely typos. */
export const CONTEXT_KEYS: readonly string[] = SETTING_NAMES.flatMap((name) => {
  const setting: Setting = SETTINGS[name];
  return setting.context ? [setting.context] : [];
});

/** The default as text, for docs and messages. */
export function defaultText(setting: Setting): string | undefined {
  if (setting.defaultDoc !== undefined) return setting.defaultDoc;
  if (setting.type === 'list' || setting.default === undefined) return undefined;
  return String(setting.default);
}
