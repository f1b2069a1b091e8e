/**
 * The AWS variables the EKS pod identity webhook injects into a container (reference: the webhook's
 * handler and its test data), shared by the demo organization and the benchmark's synthetic one.
 */
import type { EnvVar } from '../../lambda/core/model';

const IRSA_TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const POD_IDENTITY_URI = 'http://169.254.170.23/v1/credentials';
const POD_IDENTITY_TOKEN_FILE =
  '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token';
const REGIONAL_STS: EnvVar = { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' };

/** IRSA: the role of the service account's annotation and the projected token. */
export function irsaEnvironment(roleArn: string): EnvVar[] {
  return [
    { ...REGIONAL_STS },
    { name: 'AWS_ROLE_ARN', value: roleArn },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: IRSA_TOKEN_FILE },
  ];
}

/** EKS Pod Identity: the agent's credentials endpoint and its token. */
export function podIdentityEnvironment(): EnvVar[] {
  return [
    { ...REGIONAL_STS },
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: POD_IDENTITY_URI },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: POD_IDENTITY_TOKEN_FILE },
  ];
}
