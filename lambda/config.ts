/**
 * The audit Lambda's configuration, from environment variables (set by infra/), validated up front
 * with one clear message per problem. Pure: takes the environment as a parameter.
 */

import { NOTIFY_MODES, type NotifyMode } from './app/notify-mode';
import { DEFAULT_MEMBER_ROLE_NAME } from './collect/options';
import {
  ACCOUNT_ID_RE as ACCOUNT_RE,
  EXTERNAL_ID_RE,
  OU_OR_ROOT_RE as OU_RE,
  REGION_RE,
  ROLE_NAME_WITH_PATH_RE as ROLE_RE,
} from './core/aws-ids';
import { ENV } from './store/table-schema';

export interface HandlerConfig {
  tableName: string;
  topicArn?: string;
  memberRoleName: string;
  externalId?: string;
  regions?: string[];
  accounts?: string[];
  excludeAccounts?: string[];
  ous?: string[];
  concurrency?: number;
  accountConcurrency?: number;
  /** Seconds kept free before the Lambda timeout to store and notify after the deadline. */
  deadlineMarginSeconds: number;
  notifyMode: NotifyMode;
  historyRetentionDays: number;
}

export class ConfigError extends Error {
  readonly code = 'InvalidConfiguration';
  constructor(readonly problems: string[]) {
    super(`invalid irsa-auditor configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const TOPIC_RE = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const TABLE_RE = /^[A-Za-z0-9_.-]{3,255}$/;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

export function loadHandlerConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  const problems: string[] = [];
  const need = (name: string, re: RegExp, what: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set (${what})`);
    else if (!re.test(value)) problems.push(`${name}="${value}" is not ${what}`);
    return value ?? '';
  };
  const listOf = (name: string, re: RegExp, what: string): string[] | undefined => {
    const items = list(env[name]);
    for (const item of items ?? []) if (!re.test(item)) problems.push(`${name}: "${item}" is not ${what}`);
    return items;
  };
  const int = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${text}" must be an integer from ${min} to ${max}`);
    }
    return value;
  };

  const tableName = need(ENV.table, TABLE_RE, 'a DynamoDB table name');
  const topicArn = env[ENV.topic] || undefined;
  if (topicArn && !TOPIC_RE.test(topicArn))
    problems.push(`${ENV.topic}="${topicArn}" is not an SNS topic ARN`);
  const memberRoleName = env[ENV.memberRoleName] || DEFAULT_MEMBER_ROLE_NAME;
  if (!ROLE_RE.test(memberRoleName))
    problems.push(`${ENV.memberRoleName}="${memberRoleName}" is not an IAM role name`);
  const externalId = env[ENV.externalId] || undefined;
  // Not echoed: the external id is a shared secret of the member role's trust policy.
  if (externalId !== undefined && !EXTERNAL_ID_RE.test(externalId))
    problems.push(
      `${ENV.externalId} is not a valid external id (2-1224 characters of A-Z a-z 0-9 _+=,.@:/-)`,
    );
  const notifyMode = (env[ENV.notifyMode] || 'changes') as NotifyMode;
  if (!NOTIFY_MODES.includes(notifyMode)) {
    problems.push(`${ENV.notifyMode}="${notifyMode}" must be one of ${NOTIFY_MODES.join(', ')}`);
  }
  const regionsText = env[ENV.regions];
  const regions = regionsText === 'all' ? undefined : listOf(ENV.regions, REGION_RE, 'an AWS region');
  const config: HandlerConfig = {
    tableName,
    topicArn,
    memberRoleName,
    externalId,
    regions,
    accounts: listOf(ENV.accounts, ACCOUNT_RE, 'a 12-digit account id'),
    excludeAccounts: listOf(ENV.excludeAccounts, ACCOUNT_RE, 'a 12-digit account id'),
    ous: listOf(ENV.ous, OU_RE, 'an OU id (ou-…) or root id (r-…)'),
    concurrency: int(ENV.concurrency, undefined, 1, 1024),
    accountConcurrency: int(ENV.accountConcurrency, undefined, 1, 64),
    deadlineMarginSeconds: int(ENV.deadlineMarginSeconds, 120, 10, 840) ?? 120,
    notifyMode,
    historyRetentionDays: int(ENV.historyRetentionDays, 90, 1, 3650) ?? 90,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
