/**
 * The bundled demo organization: `examples/demo-org.json` (what `irsa-audit demo` and `npm start`
 * scan) and `examples/demo-org-changed.json` (the same organization one night later, for
 * `irsa-audit demo --change`). `npx tsx scripts/make-demo-org.ts` writes both.
 *
 * Deterministic: no clock, no randomness. Pod-name suffixes and association ids are derived from a
 * hash of their names, so regenerating gives byte-identical files (a test compares them). Trust
 * policies come from ../shapes/trust-policies.ts, in the shapes real tools write them.
 *
 * The organization (examples/README.md tells the stories behind each planted problem), one module
 * per account:
 *   security        381492006157  the auditor's home; SAML, GitHub Actions OIDC, Lambda roles; no cluster
 *   prod            624013795280  prod-use1 (us-east-1), prod-euw1 (eu-west-1); ap-southeast-3 denied by an SCP
 *   staging         739205186614  staging-use1 (us-east-1), re-created last week: app roles still trust the old issuer
 *   shared-services 205817463390  Route 53 roles used cross-account by external-dns; ci-runners-usw2 (us-west-2),
 *                                 whose Kubernetes API the auditor cannot read (no access entry)
 *   sandbox         917364528001  the auditor's member role is not deployed there (AssumeRole denied)
 * Outside the audited scope: data-lake 558712340966 (a role used by the Spark history server).
 *
 * The `changed` variant is the same organization after three realistic changes, nothing else:
 *   1. prod-euw1 was re-created (blue/green upgrade to 1.31): new OIDC issuer; Terraform replaced the
 *      OIDC provider, but the IRSA roles' trust policies were not re-applied, and the shared-services
 *      account has no provider for the new issuer yet.
 *   2. A Helm upgrade of the loki chart (values key moved) dropped the role-arn annotation of
 *      monitoring/loki in prod-use1; the StatefulSet was not rolled, so its pods still carry the role.
 *   3. The trust of prod-payments-api was fixed (namespace `payment` → `payments`).
 */
import { trustPolicyToFile } from '../../lambda/core/inventory/trust-policy';
import type { Cluster, Inventory, TrustPolicy } from '../../lambda/core/model';
import { prod } from './prod';
import { sandbox } from './sandbox';
import { security } from './security';
import { sharedServices } from './shared-services';
import { staging } from './staging';
import type { DemoVariant } from './variant';

export { ACCOUNTS, ISSUERS, roleArn } from './identities';
export type { DemoVariant } from './variant';

export const DEMO_FILES: Record<DemoVariant, string> = {
  base: 'examples/demo-org.json',
  changed: 'examples/demo-org-changed.json',
};

export const GENERATED_AT = '2026-11-29T03:00:00Z';
/** The changed variant is the next night's inventory (the demo judges suppression expiry by it). */
export const CHANGED_GENERATED_AT = '2026-11-30T03:00:00Z';

export function buildDemoOrg(variant: DemoVariant = 'base'): Inventory {
  return {
    schemaVersion: 1,
    generatedAt: variant === 'changed' ? CHANGED_GENERATED_AT : GENERATED_AT,
    accounts: [security(), prod(variant), staging(), sharedServices(), sandbox()],
  };
}

/**
 * The file text: 2-space JSON. A cluster whose Kubernetes API was not read has no `serviceAccounts`
 * or `pods` keys at all, as the collector writes it (empty lists would read as "read, and empty").
 */
export function renderDemoOrg(variant: DemoVariant = 'base'): string {
  const replacer = (key: string, value: unknown) => {
    if (key === 'trustPolicy') return trustPolicyToFile(value as TrustPolicy);
    if (key !== 'clusters' || !Array.isArray(value)) return value;
    return (value as Cluster[]).map((cluster) => {
      if (cluster.kubernetes.status === 'ok') return cluster;
      const { serviceAccounts: _serviceAccounts, pods: _pods, ...rest } = cluster;
      return rest;
    });
  };
  return `${JSON.stringify(buildDemoOrg(variant), replacer, 2)}\n`;
}
