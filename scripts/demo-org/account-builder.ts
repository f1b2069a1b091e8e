/** Builds one account of the demo organization: its OIDC providers, roles, clusters and errors. */

import { trustPolicyOfValue } from '../../lambda/core/inventory/trust-policy';
import {
  type Account,
  type Cluster,
  type CoverageError,
  DEFAULT_AUDIENCE,
  type OidcProvider,
  type Role,
} from '../../lambda/core/model';
import {
  accountRootTrust,
  awsPrincipalTrust,
  identityCenterTrust,
  type OidcProviderRef,
  oidcProvider,
  serviceTrust,
  type TrustDocument,
} from '../shapes/trust-policies';
import { ClusterBuilder } from './cluster-builder';
import { ACCOUNTS, EKS_POLICIES, NODE_ROLE_POLICIES, roleArn } from './identities';

export interface RoleOptions {
  path?: string;
  attached?: string[];
  inline?: string[];
  lastUsed?: string | null;
}

/** The auditor's member role (docs/deployment.md): trusts only the audit function's role, in the org. */
const MEMBER_ROLE_TRUST = awsPrincipalTrust(roleArn(ACCOUNTS.security, 'irsa-auditor-function'), {
  StringEquals: { 'aws:PrincipalOrgID': 'o-7k2m9x4q1z' },
});

export class AccountBuilder {
  readonly account: Account;

  constructor(accountId: string, name: string) {
    this.account = { accountId, name, oidcProviders: [], roles: [], clusters: [], errors: [] };
  }

  get id(): string {
    return this.account.accountId;
  }

  provider(issuer: string, clientIds: string[] = [DEFAULT_AUDIENCE]): OidcProviderRef {
    const ref = oidcProvider(this.id, issuer);
    this.account.oidcProviders.push({ arn: ref.arn, url: issuer, clientIds } satisfies OidcProvider);
    return ref;
  }

  role(name: string, trustPolicy: TrustDocument, options: RoleOptions = {}): string {
    const arn = roleArn(this.id, name, options.path);
    const role: Role = {
      arn,
      trustPolicy: trustPolicyOfValue(trustPolicy),
      attachedPolicyArns: options.attached ?? [],
      inlinePolicyNames: options.inline ?? [],
      lastUsed: options.lastUsed === undefined ? '2026-11-28T23:41:07Z' : options.lastUsed,
    };
    this.account.roles.push(role);
    return arn;
  }

  /** The roles every account of the organization has. */
  baseline(): void {
    this.role('OrganizationAccountAccessRole', accountRootTrust(ACCOUNTS.management), {
      attached: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      lastUsed: '2026-10-02T14:20:51Z',
    });
    this.role('irsa-auditor-member', MEMBER_ROLE_TRUST, {
      attached: ['arn:aws:iam::aws:policy/SecurityAudit'],
      inline: ['irsa-auditor-read'],
      lastUsed: '2026-11-29T03:00:12Z',
    });
    this.identityCenterRole('ReadOnlyAccess_8c41d2e97f3a5b06', 'ReadOnlyAccess');
  }

  /** An IAM Identity Center permission set's role (`AWSReservedSSO_<set>_<id>`). */
  identityCenterRole(permissionSet: string, managedPolicy: string): void {
    this.role(`AWSReservedSSO_${permissionSet}`, identityCenterTrust(this.id, '5e1f2a7c9b3d4e60'), {
      path: '/aws-reserved/sso.amazonaws.com/',
      attached: [`arn:aws:iam::aws:policy/${managedPolicy}`],
    });
  }

  /** A service-linked role (`AWSServiceRoleFor…`) with its AWS-managed policy. */
  serviceLinkedRole(name: string, service: string, managedPolicy: string): void {
    this.role(name, serviceTrust(service), {
      path: `/aws-service-role/${service}/`,
      attached: [`arn:aws:iam::aws:policy/aws-service-role/${managedPolicy}`],
    });
  }

  /** The role an EKS cluster runs as. */
  eksClusterRole(name: string): void {
    this.role(name, serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']), {
      attached: [EKS_POLICIES.cluster],
    });
  }

  /** A node (or Karpenter node) role. */
  nodeRole(name: string, extraPolicies: string[] = []): void {
    this.role(name, serviceTrust('ec2.amazonaws.com'), {
      attached: [...NODE_ROLE_POLICIES, ...extraPolicies],
    });
  }

  cluster(name: string, region: string, issuer: string, kubernetes: Cluster['kubernetes']): ClusterBuilder {
    const builder = new ClusterBuilder(this.id, name, region, issuer, kubernetes);
    this.account.clusters.push(builder.cluster);
    return builder;
  }

  error(error: CoverageError): void {
    this.account.errors.push(error);
  }
}
