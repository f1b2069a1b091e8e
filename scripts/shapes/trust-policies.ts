/**
 * Trust policies in the shapes real tools write them. The evidence is `test/fixtures/real-tools`
 * (copied from the tools' output and tests); `test/checks/real-tools.test.ts` proves each builder
 * equal to it.
 * One home for the demo organization (scripts/demo-org), the benchmark's synthetic organization
 * (bench/generate-org.ts, bench/collect-sim.ts) and the tests.
 *
 * It lives under scripts/ because it is development tooling that scripts, bench and test all import,
 * and none of them is production code: lambda/ and infra/ never import it.
 *
 * Key order follows each tool where it is known (eksctl's Go maps sort every key; CDK writes Action
 * first); IAM and the auditor read keys in any order, so the fixtures are compared structurally.
 */
import { DEFAULT_AUDIENCE, POD_IDENTITY_SERVICE, WEB_IDENTITY_ACTION } from '../../lambda/core/model';
import { serviceAccountSubject } from '../../lambda/core/policy/trust';

export type TrustDocument = Record<string, unknown>;
type Condition = Record<string, Record<string, unknown>>;

export const POLICY_VERSION = '2012-10-17';
export const GITHUB_ACTIONS_ISSUER = 'token.actions.githubusercontent.com';
const SAML_AUDIENCE = 'https://signin.aws.amazon.com/saml';

/** An IAM OIDC provider as a trust policy names it: the ARN, and the issuer its condition keys use. */
export interface OidcProviderRef {
  arn: string;
  /** Without the scheme, as IAM prefixes condition keys. */
  issuer: string;
}

export function oidcProvider(accountId: string, issuer: string): OidcProviderRef {
  return { arn: `arn:aws:iam::${accountId}:oidc-provider/${issuer}`, issuer };
}

/** One builder for the `sub` value: the auditor's own. */
export { serviceAccountSubject };

/** `StringEquals` on `sub` then `aud` under the given issuer's keys (the AWS docs' order). */
export function subjectAndAudience(issuer: string, subject: unknown, audience = DEFAULT_AUDIENCE): Condition {
  return { StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: audience } };
}

/**
 * A web-identity statement in the AWS docs' key order, with any condition: the shape of hand-written
 * trusts, right or broken.
 */
export function webIdentityTrust(
  provider: OidcProviderRef,
  condition?: Condition,
  options: { action?: string } = {},
): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
        Action: options.action ?? WEB_IDENTITY_ACTION,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

// --- AWS documentation (EKS user guide) ---------------------------------------------------------

/** F1: the EKS user guide's example, as `aws iam get-role` prints it. */
export function awsDocsTrust(
  provider: OidcProviderRef,
  namespace: string,
  name: string,
  audience = DEFAULT_AUDIENCE,
): TrustDocument {
  return webIdentityTrust(
    provider,
    subjectAndAudience(provider.issuer, serviceAccountSubject(namespace, name), audience),
  );
}

/** F1b: the guide's namespace-wide variant ("StringLike", service account `*`). */
export function awsDocsNamespaceTrust(
  provider: OidcProviderRef,
  namespace: string,
  audience = DEFAULT_AUDIENCE,
): TrustDocument {
  return webIdentityTrust(provider, {
    StringLike: {
      [`${provider.issuer}:sub`]: serviceAccountSubject(namespace, '*'),
      [`${provider.issuer}:aud`]: audience,
    },
  });
}

/** F1c, account A: the guide's cross-account "chained" example, no Condition at all (any SA). */
export function awsDocsChainedTrust(provider: OidcProviderRef): TrustDocument {
  return webIdentityTrust(provider);
}

/** The EKS user guide's Pod Identity trust. */
export function awsDocsPodIdentityTrust(): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
        Effect: 'Allow',
        Principal: { Service: POD_IDENTITY_SERVICE },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  };
}

// --- eksctl (Go maps: every key sorted; Action is an array) --------------------------------------

function eksctlWebIdentity(provider: OidcProviderRef, condition: Condition): TrustDocument {
  return {
    Statement: [
      {
        Action: [WEB_IDENTITY_ACTION],
        Condition: condition,
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
      },
    ],
    Version: POLICY_VERSION,
  };
}

/** F2: `eksctl create iamserviceaccount`. */
export function eksctlTrust(provider: OidcProviderRef, namespace: string, name: string): TrustDocument {
  return eksctlWebIdentity(provider, {
    StringEquals: {
      [`${provider.issuer}:aud`]: DEFAULT_AUDIENCE,
      [`${provider.issuer}:sub`]: serviceAccountSubject(namespace, name),
    },
  });
}

/** F2b: `--subject-pattern`: StringLike on sub (within a namespace), StringEquals on aud. */
export function eksctlSubjectPatternTrust(
  provider: OidcProviderRef,
  namespace: string,
  pattern: string,
): TrustDocument {
  return eksctlWebIdentity(provider, {
    StringEquals: { [`${provider.issuer}:aud`]: DEFAULT_AUDIENCE },
    StringLike: { [`${provider.issuer}:sub`]: serviceAccountSubject(namespace, pattern) },
  });
}

/** F2c: no service account or namespace known: aud only, so cluster-wide. */
export function eksctlAudienceOnlyTrust(provider: OidcProviderRef): TrustDocument {
  return eksctlWebIdentity(provider, { StringEquals: { [`${provider.issuer}:aud`]: DEFAULT_AUDIENCE } });
}

/** `eksctl create podidentityassociation`. */
export function eksctlPodIdentityTrust(): TrustDocument {
  return {
    Statement: [
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { Service: POD_IDENTITY_SERVICE },
      },
    ],
    Version: POLICY_VERSION,
  };
}

// --- terraform-aws-modules / EKS Blueprints ------------------------------------------------------

export interface TerraformProviderEntry {
  provider: OidcProviderRef;
  /** `namespace:name` as `namespace_service_accounts` takes them (the module adds the prefix). */
  serviceAccounts: string[];
}

export interface TerraformOptions {
  /** AWS provider < 5.0 writes `"Sid": ""` (v5 module era). */
  emptySid?: boolean;
  /** `trust_condition_test` (v6) / `assume_role_condition_test` (v5); the module's default. */
  conditionTest?: 'StringEquals' | 'StringLike';
  /** v5 `allow_self_assume_role = true`: the role's own ARN, for the ExplicitSelfRoleAssumption statement. */
  selfAssumeRoleArn?: string;
}

/**
 * F3: terraform-aws-modules `iam-role-for-service-accounts` (v6) / `-eks` (v5): one statement per
 * provider; `aws_iam_policy_document` renders a single-item list as a string.
 */
export function terraformTrust(
  entries: TerraformProviderEntry[],
  options: TerraformOptions = {},
): TrustDocument {
  const test = options.conditionTest ?? 'StringEquals';
  const selfAssume = options.selfAssumeRoleArn
    ? [
        {
          Sid: 'ExplicitSelfRoleAssumption',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: '*' },
          Condition: { ArnLike: { 'aws:PrincipalArn': options.selfAssumeRoleArn } },
        },
      ]
    : [];
  return {
    Version: POLICY_VERSION,
    Statement: [
      ...selfAssume,
      ...entries.map(({ provider, serviceAccounts }) => {
        const subjects = serviceAccounts.map((entry) => `system:serviceaccount:${entry}`);
        return {
          ...(options.emptySid ? { Sid: '' } : {}),
          Effect: 'Allow',
          Action: WEB_IDENTITY_ACTION,
          Principal: { Federated: provider.arn },
          Condition: {
            [test]: {
              [`${provider.issuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
              [`${provider.issuer}:aud`]: DEFAULT_AUDIENCE,
            },
          },
        };
      }),
    ],
  };
}

/** {@link terraformTrust} for one provider and one `namespace:name`, the common case. */
export function terraformTrustFor(
  provider: OidcProviderRef,
  serviceAccount: string,
  options: TerraformOptions = {},
): TrustDocument {
  return terraformTrust([{ provider, serviceAccounts: [serviceAccount] }], options);
}

/** F3c: aws-ia EKS Blueprints v4 `irsa` module: `"Sid": ""`, StringLike on sub and aud. */
export function eksBlueprintsTrust(
  provider: OidcProviderRef,
  namespace: string,
  pattern: string,
): TrustDocument {
  return terraformTrustFor(provider, `${namespace}:${pattern}`, {
    emptySid: true,
    conditionTest: 'StringLike',
  });
}

// --- AWS CDK --------------------------------------------------------------------------------------

/** F4: `eks.ServiceAccount` as deployed (CfnJson resolved): `aud` before `sub`. */
export function cdkServiceAccountTrust(
  provider: OidcProviderRef,
  namespace: string,
  name: string,
): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Action: WEB_IDENTITY_ACTION,
        Condition: {
          StringEquals: {
            [`${provider.issuer}:aud`]: DEFAULT_AUDIENCE,
            [`${provider.issuer}:sub`]: serviceAccountSubject(namespace, name),
          },
        },
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
      },
    ],
  };
}

/** F4b: `IdentityType.POD_IDENTITY`: two statements. */
export function cdkPodIdentityTrust(): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: POD_IDENTITY_SERVICE } },
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { Service: POD_IDENTITY_SERVICE },
      },
    ],
  };
}

// --- Roles that are not IRSA (an org-wide audit meets many more of these) -----------------------

/** An AWS service's role (Lambda, EC2, EKS, or a hand-written Pod Identity trust). */
export function serviceTrust(service: string, actions: string | string[] = 'sts:AssumeRole'): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }],
  };
}

/** Trusts an IAM principal (an account root, a role), optionally with a condition. */
export function awsPrincipalTrust(principal: string, condition?: Condition): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** Trusts an account (its root), as OrganizationAccountAccessRole and F1c's account B do. */
export function accountRootTrust(accountId: string, condition?: Condition): TrustDocument {
  return awsPrincipalTrust(`arn:aws:iam::${accountId}:root`, condition);
}

/** A SAML federation role. */
export function samlTrust(samlProviderArn: string, actions: string | string[]): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: samlProviderArn },
        Action: actions,
        Condition: { StringEquals: { 'SAML:aud': SAML_AUDIENCE } },
      },
    ],
  };
}

/** An IAM Identity Center permission-set role (`AWSReservedSSO_*`). */
export function identityCenterTrust(accountId: string, providerId: string): TrustDocument {
  return samlTrust(`arn:aws:iam::${accountId}:saml-provider/AWSSSO_${providerId}_DO_NOT_DELETE`, [
    'sts:AssumeRoleWithSAML',
    'sts:TagSession',
  ]);
}

/** GitHub Actions OIDC: a web-identity role that is not IRSA and must not be audited as such. */
export function githubActionsTrust(accountId: string, repository: string, ref: string): TrustDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: oidcProvider(accountId, GITHUB_ACTIONS_ISSUER).arn },
        Action: WEB_IDENTITY_ACTION,
        Condition: {
          StringEquals: { [`${GITHUB_ACTIONS_ISSUER}:aud`]: DEFAULT_AUDIENCE },
          StringLike: { [`${GITHUB_ACTIONS_ISSUER}:sub`]: `repo:${repository}:${ref}` },
        },
      },
    ],
  };
}
