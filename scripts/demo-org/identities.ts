/** The demo organization's accounts, cluster issuers and the ARNs its roles and pods share. */
import type { EnvVar } from '../../lambda/core/model';

export const ACCOUNTS = {
  management: '846271935012',
  security: '381492006157',
  prod: '624013795280',
  staging: '739205186614',
  shared: '205817463390',
  sandbox: '917364528001',
  /** Not audited: owned by the data platform team, outside the audited organizational unit. */
  dataLake: '558712340966',
} as const;

export const ISSUERS = {
  prodUse1: 'oidc.eks.us-east-1.amazonaws.com/id/B7E2C4A19F0D3E58A6C1047D2E9B5F31',
  /** prod-use1 before the 2025 blue/green cut-over; the cluster is gone, its provider is not. */
  prodUse1Blue: 'oidc.eks.us-east-1.amazonaws.com/id/4F1A9C3E7B2D5068E3A1C9F47B0D2E86',
  prodEuw1: 'oidc.eks.eu-west-1.amazonaws.com/id/91C3E5A7B9D1F3052748E6A0C2B4D6F8',
  /** prod-euw1 after its re-creation (the `changed` variant only). */
  prodEuw1Recreated: 'oidc.eks.eu-west-1.amazonaws.com/id/E0A6D2C8F4B19735C1E3A5D7F9B20486',
  /** staging-use1 before it was re-created on 2026-11-20; Terraform deleted that provider. */
  stagingUse1Old: 'oidc.eks.us-east-1.amazonaws.com/id/3D5F7A9C1E2B4D6F8A0C2E4B6D8F0A1C',
  stagingUse1: 'oidc.eks.us-east-1.amazonaws.com/id/C8A2E6F0B4D83917A5C7E9B1D3F50264',
  ciRunnersUsw2: 'oidc.eks.us-west-2.amazonaws.com/id/7A3C5E9B1D2F40688E0A2C4B6D8F1E3A',
} as const;

export function roleArn(accountId: string, name: string, path = '/'): string {
  return `arn:aws:iam::${accountId}:role${path}${name}`;
}

/** A customer-managed policy of the account. */
export function customerPolicy(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:policy/${name}`;
}

export const EKS_POLICIES = {
  cluster: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  worker: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  cni: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  ecrRead: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  ssm: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  ebsCsi: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
};

/** What a node role gets: the worker, ECR read-only and SSM policies. */
export const NODE_ROLE_POLICIES = [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm];

export const OTEL_ENV: EnvVar[] = [
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://adot-collector.observability:4317' },
];
