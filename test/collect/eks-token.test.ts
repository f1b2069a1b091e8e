import { createHash, createHmac } from 'node:crypto';
import { EKS_TOKEN_PREFIX, eksToken } from '../../lambda/collect/eks-token';

const credentials = {
  accessKeyId: 'ASIAEXAMPLEKEY',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzE+session/token==',
};
const signingDate = new Date('2026-11-29T03:00:00Z');

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** SigV4 query-string signature, recomputed from the AWS spec with node:crypto only. */
function expectedSignature(url: URL, secret: string, clusterName: string): string {
  const rfc3986 = (value: string) =>
    encodeURIComponent(value).replace(
      /[!'()*]/g,
      (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([key, value]) => [rfc3986(key), rfc3986(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, shortDate, region, service] = /^[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(
    url.searchParams.get('X-Amz-Credential')!,
  )!;
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, shortDate), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('EKS token', () => {
  it('is a presigned regional STS GetCallerIdentity URL with the cluster header signed and a 60 s expiry', async () => {
    const token = await eksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials, signingDate });

    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261129T030000Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'ASIAEXAMPLEKEY/20261129/eu-west-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    // Only the parameters the verifier allows (aws-iam-authenticator's allow-list), each once.
    const allowed = new Set([
      'action',
      'version',
      'x-amz-algorithm',
      'x-amz-credential',
      'x-amz-date',
      'x-amz-expires',
      'x-amz-security-token',
      'x-amz-signature',
      'x-amz-signedheaders',
    ]);
    const keys = [...url.searchParams.keys()].map((key) => key.toLowerCase());
    expect(keys.every((key) => allowed.has(key))).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('carries a signature that an independent SigV4 implementation reproduces', async () => {
    const token = await eksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials, signingDate });

    const url = decode(token);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, credentials.secretAccessKey, 'prod-eu'),
    );
  });

  it('binds the signature to the cluster name: another cluster gets another signature', async () => {
    const token = await eksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials, signingDate });

    const url = decode(token);
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(
      expectedSignature(url, credentials.secretAccessKey, 'other-cluster'),
    );
  });

  it('uses the China partition endpoint for cn- regions', async () => {
    const token = await eksToken({ clusterName: 'c', region: 'cn-north-1', credentials, signingDate });

    const url = decode(token);
    expect(url.host).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, credentials.secretAccessKey, 'c'),
    );
  });

  it('omits the security token for long-term credentials and stays under the verifier size limit', async () => {
    const token = await eksToken({
      clusterName: 'c',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      signingDate,
    });

    const url = decode(token);
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(token.length).toBeLessThanOrEqual(4096);
  });
});
