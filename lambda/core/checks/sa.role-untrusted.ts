/**
 * sa.role-untrusted — the annotated role's trust does not admit this service account's token: the
 * guide's headline symptom ("Not authorized to perform sts:AssumeRoleWithWebIdentity" or "No
 * OpenIDConnect provider found"). The message says exactly why: no statement for this issuer, the
 * provider missing in the role's account, `sub` naming another namespace or name (with the nearest
 * match), `aud`, the action, or an explicit Deny. A service account with a Pod Identity association
 * gets it only while some of its running pods still carry the IRSA variables: new pods get Pod Identity
 * instead (docs/irsa-semantics.md §4.3), and sa.irsa-and-pod-identity reports the unused annotation.
 */
import { providerArnFor, sameClusterOtherHostFamily } from '../arn';
import type { AuditContext, RoleView, ServiceAccountView } from '../context';
import { ANNOTATION_AUDIENCE, DEFAULT_AUDIENCE } from '../model';
import { type Decision, evaluateWebIdentity, type WebIdentityToken } from '../policy/evaluate';
import {
  dependsOnIrsa,
  describeSubjectMismatch,
  podIdentityNote,
  saLabel,
  serviceAccountResource,
  trustFix,
  withProvider,
} from './helpers';
import type { ServiceAccountCheck } from './types';

/** A precise, human explanation of why `decision` denies `token`. */
function explainDenial(
  decision: Decision,
  role: RoleView,
  token: WebIdentityToken,
  ctx: AuditContext,
): string {
  if (decision.outcomes.some((o) => o.effect === 'Deny' && o.applies === true)) return decision.reason;
  const issuerLower = token.issuer.toLowerCase();
  const forIssuer = role.trust.grants.filter((grant) => grant.issuer === token.issuer);
  const providerArn = providerArnFor(role.partition, role.accountId, token.issuer);
  const statementForProvider = role.trust.policy.statements.find((s) =>
    s.principals?.federated.includes(providerArn),
  );
  if (!statementForProvider) {
    const named = [...new Set(role.trust.oidcStatements.flatMap((s) => s.providers.map((p) => p.value)))];
    if (named.length === 0)
      return `the trust policy has no web-identity statement for an EKS provider (${decision.reason})`;
    const hints: string[] = [];
    for (const ref of role.trust.oidcStatements.flatMap((s) => s.providers)) {
      const { value, parsed } = ref;
      if (ref.problem) {
        hints.push(`${value} is not a valid OIDC provider ARN: ${ref.problem}`);
        continue;
      }
      if (!parsed) continue;
      if (parsed.issuer === token.issuer && parsed.accountId !== role.accountId) {
        hints.push(
          `${value} is this cluster's provider but in account ${parsed.accountId}; STS only uses providers in the role's account ${role.accountId}`,
        );
      } else if (sameClusterOtherHostFamily(parsed.issuer, token.issuer)) {
        hints.push(
          `${parsed.issuer} is the other EKS host family of the same cluster; tokens carry ${token.issuer}`,
        );
      } else if (!ctx.clustersByIssuer.has(parsed.issuer)) {
        hints.push(`${parsed.issuer} belongs to no audited cluster (re-created cluster?)`);
      }
    }
    return `no statement trusts this cluster's provider ${providerArn}; the trust names ${named.join(', ')}${hints.length ? ` (${hints.join('; ')})` : ''}`;
  }
  const outcome = decision.outcomes.find((o) => o.index === statementForProvider.index);
  if (outcome?.part === 'action') return `statement ${outcome.index}: ${outcome.detail}`;
  if (outcome?.part === 'condition' && outcome.clause) {
    const clause = outcome.clause;
    if (clause.keyLower === `${issuerLower}:sub`) {
      const conflicting = forIssuer.find(
        (grant) => grant.statement === outcome.index && grant.subjects.conflicting,
      );
      if (conflicting)
        return `statement ${outcome.index}: ${conflicting.subjects.why} (trust.sub-conflicting)`;
      const allowed = forIssuer.flatMap((grant) => [
        ...grant.subjects.exact,
        ...grant.subjects.namespaces.map((ns) => ns.pattern),
        ...grant.subjects.broad,
      ]);
      return `statement ${outcome.index}: ${describeSubjectMismatch(allowed.length ? allowed : clause.values.map((v) => v.raw), token.sub)}`;
    }
    if (clause.keyLower === `${issuerLower}:aud`) {
      return `statement ${outcome.index}: aud must match ${JSON.stringify(clause.values.map((v) => v.raw))} but the token carries "${token.aud}"`;
    }
    return `statement ${outcome.index}: ${outcome.detail}`;
  }
  return decision.reason;
}

/** Why the annotated role cannot be assumed with this service account's token (shared with sa.irsa-and-pod-identity). */
export interface IrsaTrustProblem {
  role: RoleView;
  token: WebIdentityToken;
  decision: Decision;
  providerArn: string;
  /** The role's account has no OIDC provider for the cluster issuer. */
  providerMissing: boolean;
  reasons: string[];
}

/**
 * What the annotated role's trust decides for the token this service account's pods present (shared
 * with `explain`); undefined when there is no annotated role in the audit or no issuer.
 */
export function annotatedRoleDecision(
  sa: ServiceAccountView,
  ctx: AuditContext,
): { role: RoleView; token: WebIdentityToken; decision: Decision } | undefined {
  const issuer = sa.cluster.issuer;
  if (!sa.roleArn || !issuer) return undefined;
  const role = ctx.rolesByArn.get(sa.roleArn);
  if (!role) return undefined;
  const audience = sa.serviceAccount.annotations[ANNOTATION_AUDIENCE] || DEFAULT_AUDIENCE;
  const token: WebIdentityToken = { issuer, sub: sa.subject, aud: audience };
  const decision = evaluateWebIdentity(role.trust.policy, role, {
    ...token,
    issuerLower: sa.cluster.issuerLower,
  });
  return { role, token, decision };
}

/** The trust problem of the service account's annotated role, or undefined when it admits the token. */
export function irsaTrustProblem(sa: ServiceAccountView, ctx: AuditContext): IrsaTrustProblem | undefined {
  const evaluated = annotatedRoleDecision(sa, ctx);
  if (!evaluated) return undefined;
  const { role, token, decision } = evaluated;
  const reasons: string[] = [];
  const providerMissing =
    ctx.partRead(role.accountId, 'oidc-providers') &&
    !ctx.providersByAccount.get(role.accountId)?.has(token.issuer);
  if (providerMissing) {
    reasons.push(
      `account ${role.accountId} has no OIDC provider for ${token.issuer}, so STS answers "No OpenIDConnect provider found in your account"`,
    );
  }
  if (decision.verdict === 'deny') reasons.push(explainDenial(decision, role, token, ctx));
  if (reasons.length === 0) return undefined;
  const providerArn = providerArnFor(role.partition, role.accountId, token.issuer);
  return { role, token, decision, providerArn, providerMissing, reasons };
}

/**
 * The role's statement for this cluster repaired (or one added) so it admits the service account:
 * the wrong subject replaced, provider / keys / audience corrected (lambda/core/fix/trust-fix.ts).
 */
function untrustedFix(
  sa: ServiceAccountView,
  role: RoleView,
  token: WebIdentityToken,
  providerArn: string,
  providerMissing: boolean,
): { remediation: string; commands: string[] } {
  const fix = trustFix(
    role.role.arn,
    `Make the trust of ${role.role.arn} admit ${sa.subject} with audience "${token.aud}" through ${providerArn}${providerMissing ? `, after creating that provider in account ${role.accountId} (first command, with credentials for that account)` : ''}.`,
  );
  return providerMissing ? withProvider(fix, token.issuer, token.aud) : fix;
}

export const check: ServiceAccountCheck = {
  id: 'sa.role-untrusted',
  runsOn: 'serviceAccount',
  severity: 'high',
  title: "Annotated role's trust does not admit the service account",
  description:
    'The service account is annotated with a role whose trust policy does not admit its token (issuer, sub, aud), or whose account has no OIDC provider for the cluster issuer. Pods fail with AccessDenied / InvalidIdentityToken. With a Pod Identity association, only pods that still carry the IRSA variables are affected (reported then); otherwise sa.irsa-and-pod-identity says it.',
  remediation:
    "Make the role's trust admit the service account: its cluster's provider, `sub` and `aud` (one statement per provider).",
  guideStep: 'trust-policy',
  reads: ['service-accounts', 'pods', 'pod-identity', 'describe', 'iam-roles', 'oidc-providers'],
  run(sa: ServiceAccountView, ctx) {
    if (!dependsOnIrsa(sa, ctx)) return [];
    const problem = irsaTrustProblem(sa, ctx);
    if (!problem) return [];
    const { role, token, decision, providerArn, providerMissing, reasons } = problem;
    const deny = decision.outcomes.find((outcome) => outcome.effect === 'Deny' && outcome.applies === true);
    return [
      {
        message: `Service account ${saLabel(sa)} cannot assume ${sa.roleArn}: ${reasons.join('; and ')}.${podIdentityNote(sa, ctx)}`,
        resource: serviceAccountResource(sa),
        evidence: {
          token,
          decidingStatement: decision.statement,
          statement:
            decision.statement === undefined
              ? undefined
              : role.trust.policy.statements[decision.statement]?.raw,
        },
        ...(deny
          ? {
              remediation: `Statement ${deny.index} of ${role.role.arn}, a Deny, excludes this service account: narrow or remove it if the exclusion is not intended.`,
            }
          : untrustedFix(sa, role, token, providerArn, providerMissing)),
      },
    ];
  },
};
