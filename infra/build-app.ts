/**
 * Builds the stacks of this CDK app from its context. Kept apart from infra/app.ts (the CLI entry) so
 * tests build exactly what `cdk synth` builds.
 */
import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditStack } from './audit-stack';
import { type AuditorConfig, parseConfig } from './config';
import { MemberRoleStack } from './member-role-stack';
import { deploymentSuppressions } from './suppressions';

const AUDIT_STACK_NAME = 'IrsaAuditor';
const MEMBER_ROLE_STACK_NAME = 'IrsaAuditorMemberRole';

export interface BuiltApp {
  config: AuditorConfig;
  audit: AuditStack;
  memberRoleStack?: MemberRoleStack;
}

/** Throws ConfigError when the context is invalid. */
export function buildApp(app: App, options: { entry?: string; now?: Date } = {}): BuiltApp {
  const config = parseConfig(app.node.getAllContext());
  const suppressions = config.suppressionsFile
    ? deploymentSuppressions(config.suppressionsFile, options.now ?? new Date())
    : undefined;
  if (suppressions) config.warnings.push(...suppressions.warnings);
  const audit = new AuditStack(app, AUDIT_STACK_NAME, {
    config,
    entry: options.entry,
    ...(suppressions ? { suppressions } : {}),
    description: 'irsa-auditor: nightly organization-wide audit of EKS IRSA and Pod Identity',
  });
  for (const warning of config.warnings) Annotations.of(audit).addWarningV2('irsa-auditor:config', warning);

  let memberRoleStack: MemberRoleStack | undefined;
  if (config.memberRoleStack && config.auditRoleArn) {
    memberRoleStack = new MemberRoleStack(app, MEMBER_ROLE_STACK_NAME, {
      auditRoleArn: config.auditRoleArn,
      orgId: config.orgId,
      roleName: config.memberRoleName,
      externalId: config.externalId,
      description: 'irsa-auditor: read-only member role for the management account (StackSets skip it)',
    });
  }

  // Synthesis fails on any AwsSolutions finding not acknowledged, with its reason, on its resource.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, audit, memberRoleStack };
}
