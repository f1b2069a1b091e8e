/**
 * ARN and issuer helpers. Issuers are compared exactly, scheme stripped (docs/irsa-semantics.md §1.2:
 * `stripScheme(issuer) == provider.Url == arnResource(providerArn)`); never rebuilt from a region.
 */

export interface RoleArnParts {
  partition: string;
  accountId: string;
  /** `/` or `/team/`. */
  path: string;
  name: string;
}

/** The pod-identity webhook's own validation regex (docs/irsa-semantics.md §3.1). */
const ROLE_ARN_RE = /^arn:(aws[a-z0-9-]*):iam::(\d{12}):role(\/[\w\-/.@+=,]*\/|\/)([\w\-.@+=,]+)$/;

export function parseRoleArn(value: string): RoleArnParts | undefined {
  const match = ROLE_ARN_RE.exec(value);
  return match ? { partition: match[1], accountId: match[2], path: match[3], name: match[4] } : undefined;
}

/** Explains why an annotation value is not a role ARN, or returns undefined when it is one. */
export function roleArnProblem(value: string): string | undefined {
  if (parseRoleArn(value)) return undefined;
  if (value.length === 0) return 'the value is empty';
  if (/^\s|\s$/.test(value)) return 'the value has leading or trailing white space';
  if (/^["']|["']$/.test(value)) return 'the value is wrapped in quotes';
  if (/\s/.test(value)) return 'the value contains white space';
  if (!value.startsWith('arn:'))
    return 'the value does not start with `arn:` (the webhook needs the full role ARN)';
  const parts = value.split(':');
  if (parts.length !== 6) return `the ARN has ${parts.length} colon-separated parts instead of 6`;
  if (!/^aws[a-z0-9-]*$/.test(parts[1])) return `\`${parts[1]}\` is not an AWS partition`;
  if (parts[2] !== 'iam') return `the service is \`${parts[2]}\`, not \`iam\``;
  if (parts[3] !== '') return 'IAM ARNs have an empty region field';
  if (!/^\d{12}$/.test(parts[4])) return `\`${parts[4]}\` is not a 12-digit account id`;
  if (!parts[5].startsWith('role/')) return `the resource \`${parts[5]}\` is not \`role/<name>\``;
  return 'the role name contains characters IAM does not allow';
}

export interface ProviderArnParts {
  partition: string;
  accountId: string;
  /** Issuer without scheme: the ARN resource after `oidc-provider/`. */
  issuer: string;
}

const PROVIDER_ARN_RE = /^arn:(aws[a-z0-9-]*):iam::(\d{12}):oidc-provider\/(.+)$/;

export function parseProviderArn(arn: string): ProviderArnParts | undefined {
  const match = PROVIDER_ARN_RE.exec(arn);
  if (!match || match[3].includes('://')) return undefined;
  return { partition: match[1], accountId: match[2], issuer: match[3] };
}

export function providerArnFor(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuer}`;
}

export function stripScheme(url: string): string {
  return url.replace(/^https?:\/\//i, '');
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

// These two run for every role of the organization: index arithmetic, no split or match arrays.

export function partitionOfArn(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const end = arn.indexOf(':', 4);
  return end > 4 ? arn.slice(4, end) : undefined;
}

export function accountOfArn(arn: string): string | undefined {
  let colon = -1;
  for (let field = 0; field < 4; field++) {
    colon = arn.indexOf(':', colon + 1);
    if (colon < 0) return undefined;
  }
  const end = arn.indexOf(':', colon + 1);
  if (end !== colon + 13) return undefined;
  for (let i = colon + 1; i < end; i++) {
    const code = arn.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return arn.slice(colon + 1, end);
}

const EKS_ISSUER_RES: readonly RegExp[] = [
  /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)$/,
  /^oidc-eks\.([a-z0-9-]+)\.api\.(?:aws|amazonwebservices\.com\.cn|amazonwebservices\.eu)\/id\/([A-Za-z0-9]+)$/,
];

/** Region and id of an EKS issuer (either host family), or undefined for other issuers. */
export function eksIssuerParts(
  issuer: string,
): { region: string; id: string; dualStack: boolean } | undefined {
  for (let i = 0; i < EKS_ISSUER_RES.length; i++) {
    const match = EKS_ISSUER_RES[i].exec(issuer);
    if (match) return { region: match[1], id: match[2], dualStack: i === 1 };
  }
  return undefined;
}

export function isEksIssuer(issuer: string): boolean {
  return eksIssuerParts(issuer) !== undefined;
}

/** True when two issuers name the same cluster through the two EKS host families (docs/irsa-semantics.md §1.1). */
export function sameClusterOtherHostFamily(a: string, b: string): boolean {
  if (a === b) return false;
  const pa = eksIssuerParts(a);
  const pb = eksIssuerParts(b);
  return !!pa && !!pb && pa.region === pb.region && pa.id === pb.id && pa.dualStack !== pb.dualStack;
}

/** Looks like an attempt at an EKS issuer (host mentions eks) even if malformed. */
export function looksEksLike(text: string): boolean {
  return /(^|[./-])eks[./-]|oidc\.eks|eks\.amazonaws/i.test(text);
}

/**
 * The issuer a `Federated` value meant, even when the value is malformed: the provider ARN's resource
 * or an issuer URL, without scheme. Undefined when it names no issuer (a cluster ARN, a SAML provider).
 */
export function intendedIssuer(value: string): string | undefined {
  const marker = value.indexOf(':oidc-provider/');
  if (value.startsWith('arn:') && marker > 0) {
    return stripScheme(value.slice(marker + ':oidc-provider/'.length)) || undefined;
  }
  return /^https?:\/\//i.test(value) ? stripScheme(value) || undefined : undefined;
}

/**
 * Why a `Federated` value meant as an OIDC provider is not a valid provider ARN; undefined when valid
 * or when the value is not meant as an OIDC provider at all (a SAML provider, a built-in IdP domain).
 */
export function federatedProblem(value: string, rolePartition: string): string | undefined {
  if (value.startsWith('arn:')) {
    const parts = value.split(':');
    if (parts.length >= 6 && parts[2] === 'iam' && parts[5]?.startsWith('saml-provider/')) return undefined;
    if (parts.length >= 3 && parts[2] === 'eks') {
      return 'it is an EKS cluster ARN; the principal must be the IAM OIDC provider ARN of the cluster issuer';
    }
    const resource = parts.slice(5).join(':');
    if (parts.length < 6 || parts[2] !== 'iam' || !resource.startsWith('oidc-provider/')) {
      return 'it is not an IAM `oidc-provider` ARN';
    }
    if (!/^aws[a-z0-9-]*$/.test(parts[1])) return `\`${parts[1]}\` is not an AWS partition`;
    if (parts[1] !== rolePartition) {
      return `its partition \`${parts[1]}\` differs from the role's partition \`${rolePartition}\``;
    }
    if (!/^\d{12}$/.test(parts[4])) return `\`${parts[4]}\` is not a 12-digit account id`;
    if (parts[3] !== '') return 'IAM ARNs have an empty region field';
    const issuer = resource.slice('oidc-provider/'.length);
    if (/^https?:\/\//i.test(issuer) || issuer.includes('://')) {
      return 'it contains the `https://` scheme; provider ARNs carry the issuer without scheme';
    }
    if (issuer.length === 0) return 'the provider name is empty';
    if (looksEksLike(issuer) && !isEksIssuer(issuer)) {
      if (!issuer.includes('/id/')) return 'the EKS issuer in it is missing `/id/<ID>`';
      return 'the EKS issuer host is not `oidc.eks.<region>.amazonaws.com` (or its dual-stack form)';
    }
    return undefined;
  }
  // Not an ARN: a domain string is legal for built-in IdPs (cognito-identity.amazonaws.com …), but an
  // EKS issuer URL pasted where the provider ARN belongs is not.
  if (/^https?:\/\//i.test(value) || (looksEksLike(value) && value.includes('/'))) {
    return 'it is an issuer URL, not the IAM OIDC provider ARN (`arn:<partition>:iam::<account>:oidc-provider/<issuer>`)';
  }
  return undefined;
}
