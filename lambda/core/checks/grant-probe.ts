/** Probing a grant with a synthetic token, to confirm what a classification claims before reporting it. */
import type { AuditContext, RoleView } from '../context';
import { DEFAULT_AUDIENCE } from '../model';
import { evaluateWebIdentity } from '../policy/evaluate';
import { grantAdmitsAudience, type IrsaGrant } from '../policy/trust';
import { clusterLabel } from './helpers';

/** An audience the grant admits: the default when allowed, else the first literal `aud` value. */
export function admittedAudience(grant: IrsaGrant): string {
  if (grantAdmitsAudience(grant, DEFAULT_AUDIENCE) !== false) return DEFAULT_AUDIENCE;
  for (const clause of grant.audClauses) {
    for (const value of clause.values) if (value.literal !== undefined) return value.literal;
  }
  return DEFAULT_AUDIENCE;
}

/** Whether the whole trust policy (Deny statements included) allows `sub` from the grant's issuer. */
export function policyAllows(role: RoleView, grant: IrsaGrant, sub: string): boolean {
  const decision = evaluateWebIdentity(role.trust.policy, role, {
    issuer: grant.issuer,
    issuerLower: grant.issuerLower,
    sub,
    aud: admittedAudience(grant),
  });
  return decision.verdict === 'allow';
}

export function issuerClusters(grant: IrsaGrant, ctx: AuditContext): string {
  const clusters = ctx.clustersByIssuer.get(grant.issuer) ?? [];
  return clusters.length > 0 ? `cluster ${clusters.map(clusterLabel).join(', ')}` : `issuer ${grant.issuer}`;
}
