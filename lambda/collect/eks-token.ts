import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { partitionOfRegion } from '../core/arn';
import { dnsSuffixOf } from './clients';

/**
 * The bearer token EKS accepts (docs/irsa-semantics.md §5.1), as `aws eks get-token` and aws-iam-authenticator make
 * it: `k8s-aws-v1.` + unpadded base64url of a presigned STS `GetCallerIdentity` URL on the regional
 * endpoint, with `x-k8s-aws-id: <cluster>` among the signed headers and `X-Amz-Expires=60` (the server
 * rejects more than 900; it honours the token for 15 minutes after X-Amz-Date). Presigning is local:
 * no STS call is made. The cluster sees whoever signed, so the member role needs an access entry.
 */

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
const EKS_CLUSTER_ID_HEADER = 'x-k8s-aws-id';
const EKS_TOKEN_EXPIRES_SECONDS = 60;

export interface EksTokenRequest {
  /** Cluster name (the cluster id for Outposts local clusters). */
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** Defaults to the region's partition. */
  partition?: string;
  /** Injected for tests; now otherwise. */
  signingDate?: Date;
}

function stsHostFor(region: string, partition = partitionOfRegion(region)): string {
  return `sts.${region}.${dnsSuffixOf(partition)}`;
}

async function presignedCallerIdentityUrl(request: EksTokenRequest): Promise<string> {
  const host = stsHostFor(request.region, request.partition);
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      path: '/',
      // Not `x-amz-*`, so presign keeps it a signed header instead of hoisting it into the query.
      headers: { host, [EKS_CLUSTER_ID_HEADER]: request.clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    {
      expiresIn: EKS_TOKEN_EXPIRES_SECONDS,
      ...(request.signingDate ? { signingDate: request.signingDate } : {}),
    },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(String(value))}`)
    .join('&');
  return `https://${host}/?${query}`;
}

export async function eksToken(request: EksTokenRequest): Promise<string> {
  const url = await presignedCallerIdentityUrl(request);
  // Node's base64url alphabet, without `=` padding: what the verifier expects.
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
