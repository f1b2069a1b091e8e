/**
 * Deployment configuration from CDK context (`-c key=value` or the `context` block of cdk.json), parsed and
 * validated in one pure function so a typo or a bad value fails `cdk synth` with a message that names the
 * key, the value and what was expected — never a half-configured deployment. Keys, defaults and each
 * key's rule come from the settings table (lambda/settings/settings.ts), shared with the Lambda and the CLI.
 */

import type { NotifyMode } from '../lambda/app/notify-mode';
import { editDistance } from '../lambda/core/checks/helpers';
import { SettingsReader, show } from '../lambda/settings/read';
import {
  CONTEXT_KEYS,
  SETTINGS,
  type Setting,
  type StackSetCallAs,
  scheduleExpressionProblem,
} from '../lambda/settings/settings';
import { sizingWarnings } from './sizing';

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
  /** The suppressions file to bundle into the function (docs/suppressions.md); validated by buildApp. */
  suppressionsFile?: string;
  /** The member role's name, after its IAM path if it has one (`audit/IrsaAuditorMemberRole`). */
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
  /** The audit stack puts the member role into its own account (and the StackSet leaves that account out). */
  auditAccountMemberRole: boolean;
  /** Also synthesize the plain member-role stack for the management account (StackSets skip it). */
  memberRoleStack: boolean;
  /** The audit function's role ARN, trusted by the plain member-role stack. */
  auditRoleArn?: string;
  /** Import findings into Security Hub (docs/deployment.md §14). */
  securityHub: boolean;
  /** `create`, or an existing bucket's name; absent: no HTML report. */
  reportBucket?: string;
  reportPrefix: string;
  reportRetentionDays: number;
  checksDocUrl?: string;
  /** `single` (one Lambda run) or `distributed` (Step Functions; infra/distributed.ts). */
  scale: 'single' | 'distributed';
  /** Distributed mode: accounts per collect child, children at once, failed children tolerated (%). */
  map: { batchSize: number; maxConcurrency: number; toleratedFailurePercentage: number };
  /** Distributed mode: the evaluate step's memory (it holds the whole organization). */
  evaluateMemoryMb: number;
  /** Non-fatal remarks (e.g. a schedule less frequent than the staleness alarm). */
  warnings: string[];
}

/** The defaults of the settings table, by context key. */
export const DEFAULTS = {
  schedule: SETTINGS.schedule.default,
  timezone: SETTINGS.timezone.default,
  notifyMode: SETTINGS.notifyMode.default as NotifyMode,
  historyRetentionDays: SETTINGS.historyRetentionDays.default,
  memberRoleName: SETTINGS.memberRoleName.default,
  stackSetCallAs: SETTINGS.stackSetCallAs.default as StackSetCallAs,
  memoryMb: SETTINGS.memoryMb.default,
  timeoutMinutes: SETTINGS.timeoutMinutes.default,
  deadlineMarginSeconds: SETTINGS.deadlineMarginSeconds.default,
  logRetentionDays: SETTINGS.logRetentionDays.default,
  metricsNamespace: SETTINGS.metricsNamespace.default,
} as const;

/**
 * Parses and validates the CDK context. Throws one ConfigError listing every problem found, so a
 * deployment with three typos is fixed in one round. Each setting's key, default and rule come from
 * the settings table; the rules that tie settings together are here.
 */
export function parseConfig(context: Record<string, unknown>): AuditorConfig {
  const warnings: string[] = [];
  const read = new SettingsReader('context', (setting: Setting) =>
    setting.context === undefined ? undefined : context[setting.context],
  );
  // Given at all, valid or not (an empty value is unset).
  const given = (key: string) => context[key] != null && String(context[key]).trim() !== '';

  for (const key of Object.keys(context)) {
    // Only plain identifiers can be ours; CDK's own keys contain `:`, `@` or `-`.
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || CONTEXT_KEYS.includes(key)) continue;
    const hint = closestKey(key);
    read.problem(
      `unknown context key \`${key}\`${hint ? ` (did you mean \`${hint}\`?)` : ''}; known keys: ${CONTEXT_KEYS.join(', ')}`,
    );
  }

  const schedule = read.string(SETTINGS.schedule) ?? DEFAULTS.schedule;
  if (scheduleExpressionProblem(schedule) === undefined && !runsAtLeastDaily(schedule)) {
    warnings.push(
      `schedule ${show(schedule)} may run less often than daily: the "no successful run in 26 hours" alarm will fire between runs`,
    );
  }
  const timezone = read.string(SETTINGS.timezone) ?? DEFAULTS.timezone;

  const regions = read.list(SETTINGS.regions) ?? [];
  const accounts = read.list(SETTINGS.accounts) ?? [];
  const excludeAccounts = read.list(SETTINGS.excludeAccounts) ?? [];
  const auditOus = read.list(SETTINGS.ous) ?? [];
  const concurrency = read.integer(SETTINGS.concurrency);
  const accountConcurrency = read.integer(SETTINGS.accountConcurrency);

  const notifyEmails = read.list(SETTINGS.notifyEmails) ?? [];
  const slackWorkspaceId = read.string(SETTINGS.slackWorkspaceId);
  const slackChannelId = read.string(SETTINGS.slackChannelId);
  let slack: AuditorConfig['slack'];
  if (given('slackWorkspaceId') !== given('slackChannelId')) {
    read.problem(
      'slackWorkspaceId and slackChannelId: set both to add the Slack channel, or neither (only one was given)',
    );
  } else if (slackWorkspaceId !== undefined && slackChannelId !== undefined) {
    slack = { workspaceId: slackWorkspaceId, channelId: slackChannelId };
  }

  const notifyMode = read.oneOf(SETTINGS.notifyMode) ?? DEFAULTS.notifyMode;
  const historyRetentionDays = read.integer(SETTINGS.historyRetentionDays) ?? DEFAULTS.historyRetentionDays;
  const suppressionsFile = read.string(SETTINGS.suppressionsFile);

  const memberRoleName = read.string(SETTINGS.memberRoleName) ?? DEFAULTS.memberRoleName;
  const externalId = read.string(SETTINGS.externalId);
  const orgId = read.string(SETTINGS.orgId);
  const targetOusList = read.list(SETTINGS.targetOus) ?? [];
  if (targetOusList.some((value) => value.startsWith('r-')) && targetOusList.length > 1) {
    read.problem(
      `targetOus: got ${show(targetOusList.join(','))}; expected either the root id alone (the whole organization) or OU ids, not both`,
    );
  }
  const targetOus = targetOusList.length > 0 ? targetOusList : undefined;

  const memberRoleStackSet = read.boolean(SETTINGS.memberRoleStackSet) ?? SETTINGS.memberRoleStackSet.default;
  const stackSetCallAs = read.oneOf(SETTINGS.stackSetCallAs) ?? DEFAULTS.stackSetCallAs;
  const stackSetRegion = read.string(SETTINGS.stackSetRegion);

  const memoryMb = read.integer(SETTINGS.memoryMb) ?? DEFAULTS.memoryMb;
  const timeoutMinutes = read.integer(SETTINGS.timeoutMinutes) ?? DEFAULTS.timeoutMinutes;
  // The handler stops starting new accounts this long before the Lambda timeout; more than half the
  // timeout would leave too little time to audit anything.
  const maxMargin = Math.floor((timeoutMinutes * 60) / 2);
  const deadlineMarginSeconds =
    read.integer(
      SETTINGS.deadlineMarginSeconds,
      maxMargin,
      `(at most half of timeoutMinutes=${timeoutMinutes})`,
    ) ?? Math.min(DEFAULTS.deadlineMarginSeconds, maxMargin);

  const logRetentionDays = read.integer(SETTINGS.logRetentionDays) ?? DEFAULTS.logRetentionDays;
  const metricsNamespace = read.string(SETTINGS.metricsNamespace) ?? DEFAULTS.metricsNamespace;

  const auditAccountMemberRole =
    read.boolean(SETTINGS.auditAccountMemberRole) ?? SETTINGS.auditAccountMemberRole.default;
  const memberRoleStack = read.boolean(SETTINGS.memberRoleStack) ?? SETTINGS.memberRoleStack.default;
  const auditRoleArn = read.string(SETTINGS.auditRoleArn);
  if (memberRoleStack && !given('auditRoleArn')) {
    read.problem(
      'auditRoleArn: required when memberRoleStack=true; expected the AuditFunctionRoleArn output of the deployed audit stack',
    );
  }

  if (memberRoleStack && auditAccountMemberRole && stackSetCallAs === 'SELF') {
    read.problem(
      'memberRoleStack: with stackSetCallAs=SELF the audit stack is in the management account and already holds the member role (auditAccountMemberRole=true); the plain stack would create it a second time',
    );
  }

  const securityHub = read.boolean(SETTINGS.securityHub) ?? SETTINGS.securityHub.default;
  const reportBucket = read.string(SETTINGS.reportBucket);
  const reportPrefix = read.string(SETTINGS.reportPrefix) ?? SETTINGS.reportPrefix.default;
  const reportRetentionDays =
    read.integer(SETTINGS.reportRetentionDays) ?? SETTINGS.reportRetentionDays.default;
  const checksDocUrl = read.string(SETTINGS.checksDocUrl);
  const scale = read.oneOf(SETTINGS.scale) ?? SETTINGS.scale.default;
  const evaluateMemoryMb = read.integer(SETTINGS.evaluateMemoryMb) ?? SETTINGS.evaluateMemoryMb.default;
  const map = {
    batchSize: read.integer(SETTINGS.mapBatchSize) ?? SETTINGS.mapBatchSize.default,
    maxConcurrency: read.integer(SETTINGS.mapMaxConcurrency) ?? SETTINGS.mapMaxConcurrency.default,
    toleratedFailurePercentage:
      read.integer(SETTINGS.mapToleratedFailurePercentage) ?? SETTINGS.mapToleratedFailurePercentage.default,
  };

  // How much the expected organization needs, from the measurements (infra/sizing.ts).
  warnings.push(
    ...sizingWarnings({
      scale,
      expectedAccounts: read.integer(SETTINGS.expectedAccounts),
      memoryMb,
      timeoutMinutes,
      evaluateMemoryMb,
    }),
  );

  read.finish();
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
    ...(suppressionsFile === undefined ? {} : { suppressionsFile }),
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
    auditAccountMemberRole,
    memberRoleStack,
    auditRoleArn,
    securityHub,
    reportBucket,
    reportPrefix,
    reportRetentionDays,
    checksDocUrl,
    scale,
    map,
    evaluateMemoryMb,
    warnings,
  };
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

function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of CONTEXT_KEYS) {
    const distance = known.toLowerCase() === key.toLowerCase() ? 0 : editDistance(known, key, 3);
    if (distance <= 3 && (!best || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}
