import type { GetOpenIDConnectProviderCommandOutput, RoleDetail } from '@aws-sdk/client-iam';
import type { OidcProvider, Role } from '../core/model';

/**
 * IAM SDK shapes → inventory model, once. The JS SDK v3 hands trust policies over still URL-encoded
 * (RFC 3986, as IAM returns them); they are decoded and parsed here and nowhere else. A document that
 * cannot be decoded or parsed is kept as `{ unparsable: reason }` so the checks report it instead of
 * silently treating the role as having no trust.
 */

const MAX_REASON = 160;

export function decodeTrustPolicy(document: string | undefined): unknown {
  if (document === undefined || document === '')
    return { unparsable: 'IAM returned no trust policy document' };
  let text: string;
  try {
    text = decodeURIComponent(document);
  } catch {
    // Not percent-encoded after all (an export that was decoded already): parse it as it is.
    text = document;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // The parser's message can quote a few characters of the document; keep it short.
    const detail = error instanceof Error ? error.message : String(error);
    return { unparsable: `not valid JSON: ${detail.slice(0, MAX_REASON)}` };
  }
}

export function roleFromDetail(detail: RoleDetail): Role | undefined {
  if (!detail.Arn) return undefined;
  return {
    arn: detail.Arn,
    trustPolicy: decodeTrustPolicy(detail.AssumeRolePolicyDocument),
    attachedPolicyArns: (detail.AttachedManagedPolicies ?? [])
      .map((policy) => policy.PolicyArn)
      .filter((arn): arn is string => typeof arn === 'string'),
    inlinePolicyNames: (detail.RolePolicyList ?? [])
      .map((policy) => policy.PolicyName)
      .filter((name): name is string => typeof name === 'string'),
    lastUsed: isoOrNull(detail.RoleLastUsed?.LastUsedDate),
  };
}

/** `Url` is kept exactly as IAM returns it (no scheme); the ARN resource is the fallback. */
export function providerFrom(
  arn: string,
  response: Pick<GetOpenIDConnectProviderCommandOutput, 'Url' | 'ClientIDList'>,
): OidcProvider {
  return {
    arn,
    url: response.Url ?? issuerOfProviderArn(arn),
    clientIds: [...(response.ClientIDList ?? [])],
  };
}

export function issuerOfProviderArn(arn: string): string {
  const marker = ':oidc-provider/';
  const at = arn.indexOf(marker);
  return at < 0 ? '' : arn.slice(at + marker.length);
}

function isoOrNull(date: Date | string | undefined): string | null {
  if (date === undefined) return null;
  const parsed = date instanceof Date ? date : new Date(date);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}
