/**
 * cluster.no-oidc-provider — guide step 1: the cluster's OIDC issuer has no IAM OIDC provider in the
 * cluster's account, so STS answers `InvalidIdentityToken: No OpenIDConnect provider found` for every
 * service account whose role lives there. Service accounts with a Pod Identity association do not
 * count once their pods use it: the webhook injects Pod Identity instead of IRSA (docs/irsa-semantics.md §4.3).
 */

import { shellQuote } from '../access-entry';
import { accountOfArn, sameClusterOtherHostFamily } from '../arn';
import { DEFAULT_AUDIENCE } from '../model';
import { clusterLabel, clusterResource, dependsOnIrsa } from './helpers';
import type { ClusterCheck } from './types';

export const check: ClusterCheck = {
  id: 'cluster.no-oidc-provider',
  runsOn: 'cluster',
  severity: 'high',
  severityNote:
    'high if a service account of the cluster depends on IRSA with a role in the cluster account: annotated, and without a Pod Identity association that all its running pods use; else low',
  title: 'Cluster issuer has no IAM OIDC provider',
  description:
    "No IAM OIDC identity provider in the cluster's account has the cluster's issuer URL. IRSA cannot work for roles in that account until one is created.",
  remediation: "Create an IAM OIDC provider for the cluster's issuer in the cluster's account.",
  commands: ['eksctl utils associate-iam-oidc-provider --cluster <name> --region <region> --approve'],
  guideStep: 'oidc-provider',
  reads: ['describe', 'oidc-providers'],
  run(cluster, ctx) {
    const accountId = cluster.account.accountId;
    if (!cluster.issuer || !ctx.partRead(accountId, 'oidc-providers')) return [];
    const providers = ctx.providersByAccount.get(accountId);
    if (providers?.has(cluster.issuer)) return [];
    const otherFamily = [...(providers?.keys() ?? [])].find((url) =>
      sameClusterOtherHostFamily(url, cluster.issuer!),
    );
    const annotated = [...cluster.serviceAccounts.values()].filter((sa) => sa.roleArn);
    const inAccount = annotated.filter(
      (sa) => accountOfArn(sa.roleArn!) === undefined || accountOfArn(sa.roleArn!) === accountId,
    );
    const local = inAccount.filter((sa) => dependsOnIrsa(sa, ctx));
    const severity = local.length > 0 ? 'high' : 'low';
    let impact: string;
    if (!cluster.readable) impact = 'its service accounts could not be read, so the impact is unknown';
    else if (local.length > 0) {
      impact = `${local.length} service account(s) annotated with roles in this account cannot assume them (e.g. ${local[0].serviceAccount.namespace}/${local[0].serviceAccount.name})`;
    } else if (inAccount.length > 0) {
      impact = `the ${inAccount.length} service account(s) annotated with roles in this account also have Pod Identity associations, which their pods use instead of IRSA`;
    } else if (annotated.length > 0) impact = 'annotated service accounts use roles in other accounts only';
    else impact = 'no service account is annotated for IRSA yet';
    const note = otherFamily
      ? ` A provider exists for the other host family of the same cluster (${otherFamily}); tokens carry ${cluster.issuer}, so it does not match.`
      : '';
    return [
      {
        severity,
        message: `Cluster ${clusterLabel(cluster)} has issuer https://${cluster.issuer} but account ${accountId} has no IAM OIDC provider for it; ${impact}.${note}`,
        resource: clusterResource(cluster),
        evidence: {
          issuer: cluster.cluster.oidcIssuer,
          providersInAccount: [...(providers?.keys() ?? [])].slice(0, 20),
        },
        remediation: `Create an IAM OIDC provider for https://${cluster.issuer} in account ${accountId}: run ONE of the two commands (eksctl, or the AWS CLI), with credentials for that account.`,
        commands: [
          `eksctl utils associate-iam-oidc-provider --cluster ${shellQuote(cluster.cluster.name)} --region ${shellQuote(cluster.cluster.region)} --approve`,
          `aws iam create-open-id-connect-provider --url ${shellQuote(`https://${cluster.issuer}`)} --client-id-list ${DEFAULT_AUDIENCE}`,
        ],
      },
    ];
  },
};
