/**
 * trust.condition-key-foreign — a condition key that names an issuer other than the statement's
 * provider: another or stale cluster id, `https://` in the key, the provider ARN used as key, a typo,
 * a missing `:sub`/`:aud` suffix, or several providers ANDed in one statement. Such keys are absent
 * from the token: under a positive operator the statement never matches; under a negated / IfExists
 * operator the condition is always true and restricts nothing.
 */

import {
  intendedIssuer,
  isEksIssuer,
  parseProviderArn,
  sameClusterOtherHostFamily,
  stripScheme,
} from '../arn';
import type { AuditContext, RoleView } from '../context';
import type { FindingDraft } from '../findings';
import { parseIdentityKey } from '../policy/evaluate';
import type { ConditionClause } from '../policy/normalize';
import { clusterLabel, editDistance, roleResource, statementEvidence, trustFix } from './helpers';
import type { RoleCheck } from './types';

function diagnose(prefix: string, issuers: string[], ctx: AuditContext): string {
  const lower = prefix.toLowerCase();
  if (/^https?:\/\//i.test(prefix)) {
    const bare = stripScheme(prefix).toLowerCase();
    return issuers.some((issuer) => issuer.toLowerCase() === bare)
      ? 'the key carries the `https://` scheme; keys use the issuer without scheme'
      : 'the key carries the `https://` scheme and names another issuer';
  }
  if (lower.startsWith('arn:')) {
    const parsed = parseProviderArn(prefix);
    return parsed && issuers.includes(parsed.issuer)
      ? 'the key is the provider ARN; keys use the issuer (host/path) only'
      : 'the key is an ARN, not an issuer';
  }
  const sibling = issuers.find((issuer) => sameClusterOtherHostFamily(issuer, prefix));
  if (sibling) {
    return `the key uses the other EKS host family of the same cluster (${prefix} vs ${sibling}); tokens carry one of them only — possibly broken`;
  }
  const clusters = ctx.clustersByIssuer.get(prefix);
  if (clusters?.length) return `the key names the issuer of another cluster, ${clusterLabel(clusters[0])}`;
  if (issuers.some((issuer) => editDistance(issuer.toLowerCase(), lower, 4, ctx.cache.editRows) <= 4))
    return 'the key looks like a typo of the provider issuer';
  if (isEksIssuer(prefix))
    return 'the key names an EKS issuer no audited cluster has (stale, re-created cluster?)';
  return 'the key names another issuer';
}

function effectOf(clause: ConditionClause): string {
  const operator = clause.operator;
  if (!operator) return 'its effect cannot be decided';
  if (operator.ifExists || operator.negated || operator.set === 'ForAllValues') {
    return `under ${clause.operatorRaw} the absent key makes the condition always true: it restricts nothing`;
  }
  return `under ${clause.operatorRaw} the absent key makes the condition false: the statement never matches (AccessDenied)`;
}

export const check: RoleCheck = {
  id: 'trust.condition-key-foreign',
  runsOn: 'role',
  severity: 'high',
  title: "Condition key names another issuer than the statement's provider",
  description:
    "A condition key is not `<provider issuer>:sub` or `:aud` of the statement's own provider (another or stale cluster, `https://` in the key, provider ARN as key, typo, missing claim, several providers ANDed). Tokens never carry it.",
  remediation:
    'Use "<issuer without https://>:sub" and ":aud" of the provider named in the same statement, one statement per provider.',
  guideStep: 'trust-policy',
  reads: ['iam-roles'],
  run(role: RoleView, ctx) {
    const drafts: FindingDraft[] = [];
    for (const { statement, providers } of role.trust.oidcStatements) {
      const valid = providers.flatMap((ref) => (ref.parsed && !ref.problem ? [ref.parsed.issuer] : []));
      // A malformed principal (trust.principal-malformed) does not hide malformed keys beside it: they
      // are compared with the issuer the principal meant.
      const issuers =
        valid.length > 0
          ? valid
          : providers.flatMap((ref) => {
              const meant = intendedIssuer(ref.value);
              return meant ? [meant] : [];
            });
      if (issuers.length === 0) continue;
      const issuersLower = new Set(issuers.map((issuer) => issuer.toLowerCase()));
      const positiveByIssuer = new Set<string>();
      for (const clause of statement.conditions) {
        const identity = parseIdentityKey(clause.key);
        if (!identity) continue;
        const prefixLower = identity.prefix.toLowerCase();
        const claim = identity.claim?.toLowerCase();
        if (issuersLower.has(prefixLower)) {
          if (claim === 'sub' || claim === 'aud') {
            if (clause.operator && !clause.operator.negated && !clause.operator.ifExists)
              positiveByIssuer.add(prefixLower);
            continue;
          }
          drafts.push({
            message: `${role.role.arn}: statement ${statement.index} condition key "${clause.key}" ${claim === undefined ? 'has no `:sub`/`:aud` claim suffix' : `uses claim \`${identity.claim}\`, which EKS tokens do not carry`}; ${effectOf(clause)}.`,
            resource: roleResource(role, statement.index),
            evidence: statementEvidence(statement),
            discriminator: clause.keyLower,
          });
          continue;
        }
        drafts.push({
          message: `${role.role.arn}: statement ${statement.index} condition key "${clause.key}" does not match its provider (${issuers.join(', ')}): ${diagnose(identity.prefix, issuers, ctx)}; ${effectOf(clause)}.`,
          resource: roleResource(role, statement.index),
          evidence: statementEvidence(statement),
          discriminator: clause.keyLower,
          ...((claim === 'sub' || claim === 'aud') &&
          clause.operator?.family === 'String' &&
          !clause.operator.negated &&
          !clause.operator.ifExists &&
          providers.length === 1 &&
          // Beside a malformed principal the new trust is for a person to write (irsa-audit fix
          // cannot tell the cluster the statement is meant for).
          valid.length > 0
            ? trustFix(
                role.role.arn,
                `Use "${issuers[0]}:${claim}" (the provider's issuer, no scheme) as the key in statement ${statement.index}.`,
              )
            : {
                remediation: `Use "${issuers[0]}:${claim === 'aud' ? 'aud' : 'sub'}" (the provider's issuer, no scheme) as the key.`,
              }),
        });
      }
      if (positiveByIssuer.size > 1) {
        drafts.push({
          message: `${role.role.arn}: statement ${statement.index} lists ${issuers.length} providers and requires the sub/aud keys of ${positiveByIssuer.size} of them at once; a token carries only its own issuer's keys, so the statement never matches.`,
          resource: roleResource(role, statement.index),
          evidence: statementEvidence(statement),
          discriminator: 'several-providers-anded',
          remediation:
            'Split the statement: one statement per provider, each with its own sub/aud conditions (as terraform-aws-modules does).',
        });
      }
    }
    return drafts;
  },
};
