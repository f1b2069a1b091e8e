/** Shared builders for trust-policy tests: realistic issuers, provider ARNs and EKS tokens. */
import type { RoleIdentity, WebIdentityToken } from '../../lambda/core/policy/evaluate';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/5E0F1C7B9A4D3E2F1A0B9C8D7E6F5A4B';
export const OTHER_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/B71A8C3F0D2E4F6A8B0C1D3E5F7A9B2C';
export const AUDIENCE = 'sts.amazonaws.com';
export const ROLE: RoleIdentity = { accountId: ACCOUNT, partition: 'aws' };

export const providerArn = (issuer = ISSUER, account = ACCOUNT, partition = 'aws') =>
  `arn:${partition}:iam::${account}:oidc-provider/${issuer}`;

export const subject = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

/** IAM policy-variable syntax (not JavaScript templates): the escape for a literal `*`, and variables. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax
export const ESCAPED_STAR = '${*}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax
export const USERNAME_VARIABLE = '${aws:username}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax
export const TAG_VARIABLE = '${aws:PrincipalTag/ns}';
/** A name that only matches `${…}` read literally (2008-10-17); no Kubernetes name looks like it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy variable syntax
export const LITERAL_VARIABLE_NAME = '${x}';

export const SUB = `${ISSUER}:sub`;
export const AUD = `${ISSUER}:aud`;
export const OTHER_SUB = `${OTHER_ISSUER}:sub`;

/** The token a pod of `namespace/name` presents (issuer without scheme, as keys use it). */
export function token(
  namespace: string,
  name: string,
  overrides: Partial<WebIdentityToken> = {},
): WebIdentityToken {
  return { issuer: ISSUER, sub: subject(namespace, name), aud: AUDIENCE, ...overrides };
}

type Json = Record<string, unknown>;

/** An Allow web-identity statement for the cluster provider; `condition` omitted means none. */
export function statement(condition?: Json, overrides: Json = {}): Json {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn() },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition === undefined ? {} : { Condition: condition }),
    ...overrides,
  };
}

export function trustPolicy(...statements: Json[]): Json {
  return { Version: '2012-10-17', Statement: statements };
}

/** The AWS docs policy: StringEquals on sub and aud. */
export function scopedPolicy(sub = subject('payments', 'api')): Json {
  return trustPolicy(statement({ StringEquals: { [SUB]: sub, [AUD]: AUDIENCE } }));
}
