/**
 * Writes the bundled demo organization: `examples/demo-org.json` (what `irsa-audit demo` and
 * `npm start` scan) and `examples/demo-org-changed.json` (the same organization one night later, for
 * `irsa-audit demo --change`). Run with `npx tsx scripts/make-demo-org.ts`.
 *
 * Deterministic: no clock, no randomness. Pod-name suffixes and association ids are derived from a
 * hash of their names, so regenerating gives byte-identical files (a test compares them).
 *
 * The organization (examples/README.md tells the stories behind each planted problem):
 *   security        381492006157  the auditor's home; SAML, GitHub Actions OIDC, Lambda roles; no cluster
 *   prod            624013795280  prod-use1 (us-east-1), prod-euw1 (eu-west-1); ap-southeast-3 denied by an SCP
 *   staging         739205186614  staging-use1 (us-east-1), re-created last week: app roles still trust the old issuer
 *   shared-services 205817463390  Route 53 roles used cross-account by external-dns; ci-runners-usw2 (us-west-2),
 *                                 whose Kubernetes API the auditor cannot read (no access entry)
 *   sandbox         917364528001  the auditor's member role is not deployed there (AssumeRole denied)
 * Outside the audited scope: data-lake 558712340966 (a role used by the Spark history server).
 *
 * The `changed` variant is the same organization after three realistic changes, nothing else:
 *   1. prod-euw1 was re-created (blue/green upgrade to 1.31): new OIDC issuer; Terraform replaced the
 *      OIDC provider, but the IRSA roles' trust policies were not re-applied, and the shared-services
 *      account has no provider for the new issuer yet.
 *   2. A Helm upgrade of the loki chart (values key moved) dropped the role-arn annotation of
 *      monitoring/loki in prod-use1; the StatefulSet was not rolled, so its pods still carry the role.
 *   3. The trust of prod-payments-api was fixed (namespace `payment` → `payments`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash64 } from '../lambda/core/findings';
import { trustPolicyOfValue, trustPolicyToFile } from '../lambda/core/inventory/trust-policy';
import type {
  Account,
  Cluster,
  Container,
  CoverageError,
  EnvVar,
  Inventory,
  OidcProvider,
  Pod,
  PodIdentityAssociation,
  Role,
  ServiceAccount,
  TrustPolicy,
} from '../lambda/core/model';

export type DemoVariant = 'base' | 'changed';

export const DEMO_FILES: Record<DemoVariant, string> = {
  base: 'examples/demo-org.json',
  changed: 'examples/demo-org-changed.json',
};

export const GENERATED_AT = '2026-11-29T03:00:00Z';

// ---------------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------------

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

const AUD = 'sts.amazonaws.com';
const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const POD_IDENTITY_URI = 'http://169.254.170.23/v1/credentials';
const POD_IDENTITY_TOKEN_FILE =
  '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token';
const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export function roleArn(accountId: string, name: string, path = '/'): string {
  return `arn:aws:iam::${accountId}:role${path}${name}`;
}

interface ProviderRef {
  arn: string;
  issuer: string;
}

function providerOf(accountId: string, issuer: string): ProviderRef {
  return { arn: `arn:aws:iam::${accountId}:oidc-provider/${issuer}`, issuer };
}

function subject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

// ---------------------------------------------------------------------------------------------------
// Deterministic names and times
// ---------------------------------------------------------------------------------------------------

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(seed: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    const hex = hash64(`${seed}#${round}`);
    for (let i = 0; i + 2 <= hex.length && out.length < length; i += 2) {
      out += SAFE_ALPHABET[Number.parseInt(hex.slice(i, i + 2), 16) % SAFE_ALPHABET.length];
    }
  }
  return out;
}

function associationId(seed: string): string {
  let out = 'a-';
  for (let round = 0; out.length < 19; round++) {
    const hex = hash64(`association:${seed}#${round}`);
    for (let i = 0; i + 2 <= hex.length && out.length < 19; i += 2) {
      out += 'abcdefghijklmnopqrstuvwxyz0123456789'[Number.parseInt(hex.slice(i, i + 2), 16) % 36];
    }
  }
  return out;
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

// ---------------------------------------------------------------------------------------------------
// Trust policies, in the shapes real tools write them (reference §6)
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** eksctl `create iamserviceaccount`: Go maps, so every key sorted; Action is an array. */
function eksctlTrust(provider: ProviderRef, namespace: string, name: string): Json {
  return {
    Statement: [
      {
        Action: [WEB_IDENTITY],
        Condition: {
          StringEquals: {
            [`${provider.issuer}:aud`]: AUD,
            [`${provider.issuer}:sub`]: subject(namespace, name),
          },
        },
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
      },
    ],
    Version: '2012-10-17',
  };
}

interface TerraformEntry {
  provider: ProviderRef;
  /** `namespace:name` as `namespace_service_accounts` takes them. */
  serviceAccounts: string[];
}

/**
 * terraform-aws-modules `iam-role-for-service-accounts(-eks)`: one statement per provider, single-item
 * lists rendered as strings; AWS provider < 5.0 writes `"Sid": ""`.
 */
function terraformTrust(entries: TerraformEntry[], options: { emptySid?: boolean; subPrefix?: string } = {}) {
  return {
    Version: '2012-10-17',
    Statement: entries.map(({ provider, serviceAccounts }) => {
      const subjects = serviceAccounts.map(
        (entry) => `${options.subPrefix ?? 'system:serviceaccount:'}${entry}`,
      );
      return {
        ...(options.emptySid ? { Sid: '' } : {}),
        Effect: 'Allow',
        Action: WEB_IDENTITY,
        Principal: { Federated: provider.arn },
        Condition: {
          StringEquals: {
            [`${provider.issuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
            [`${provider.issuer}:aud`]: AUD,
          },
        },
      };
    }),
  };
}

/** AWS CDK `eks.ServiceAccount`: CfnJson conditions, `aud` before `sub`, keys in CDK's order. */
function cdkTrust(provider: ProviderRef, namespace: string, name: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Action: WEB_IDENTITY,
        Condition: {
          StringEquals: {
            [`${provider.issuer}:aud`]: AUD,
            [`${provider.issuer}:sub`]: subject(namespace, name),
          },
        },
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
      },
    ],
  };
}

/** The EKS user guide's example, as `aws iam get-role` prints it. */
function docsTrust(provider: ProviderRef, namespace: string, name: string, audience = AUD): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
        Action: WEB_IDENTITY,
        Condition: {
          StringEquals: {
            [`${provider.issuer}:sub`]: subject(namespace, name),
            [`${provider.issuer}:aud`]: audience,
          },
        },
      },
    ],
  };
}

/** eksctl `create podidentityassociation`. */
function eksctlPodIdentityTrust(): Json {
  return {
    Statement: [
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
      },
    ],
    Version: '2012-10-17',
  };
}

/** AWS CDK `IdentityType.POD_IDENTITY`: two statements. */
function cdkPodIdentityTrust(): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' } },
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
      },
    ],
  };
}

/** The EKS user guide's Pod Identity trust. */
function docsPodIdentityTrust(): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  };
}

function serviceTrust(service: string, actions: string | string[] = 'sts:AssumeRole'): Json {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }],
  };
}

function accountRootTrust(accountId: string, condition?: Json): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** The auditor's member role (SPEC §7): trusts only the audit function's role, within the org. */
function memberRoleTrust(): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: roleArn(ACCOUNTS.security, 'irsa-auditor-function') },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-7k2m9x4q1z' } },
      },
    ],
  };
}

function ssoTrust(accountId: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {
          Federated: `arn:aws:iam::${accountId}:saml-provider/AWSSSO_5e1f2a7c9b3d4e60_DO_NOT_DELETE`,
        },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  };
}

/** GitHub Actions OIDC: an OIDC web-identity role that is not IRSA and must not be audited as such. */
function githubActionsTrust(accountId: string, repository: string, ref: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_ISSUER}` },
        Action: WEB_IDENTITY,
        Condition: {
          StringEquals: { [`${GITHUB_ISSUER}:aud`]: AUD },
          StringLike: { [`${GITHUB_ISSUER}:sub`]: `repo:${repository}:${ref}` },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------------

interface RoleOptions {
  path?: string;
  attached?: string[];
  inline?: string[];
  lastUsed?: string | null;
}

class AccountBuilder {
  readonly account: Account;

  constructor(accountId: string, name: string) {
    this.account = { accountId, name, oidcProviders: [], roles: [], clusters: [], errors: [] };
  }

  get id(): string {
    return this.account.accountId;
  }

  provider(issuer: string, clientIds: string[] = [AUD]): ProviderRef {
    const ref = providerOf(this.id, issuer);
    this.account.oidcProviders.push({ arn: ref.arn, url: issuer, clientIds } satisfies OidcProvider);
    return ref;
  }

  role(name: string, trustPolicy: unknown, options: RoleOptions = {}): string {
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
    this.role('irsa-auditor-member', memberRoleTrust(), {
      attached: ['arn:aws:iam::aws:policy/SecurityAudit'],
      inline: ['irsa-auditor-read'],
      lastUsed: '2026-11-29T03:00:12Z',
    });
    this.role('AWSReservedSSO_ReadOnlyAccess_8c41d2e97f3a5b06', ssoTrust(this.id), {
      path: '/aws-reserved/sso.amazonaws.com/',
      attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  }

  cluster(name: string, region: string, issuer: string, kubernetes: Cluster['kubernetes']): ClusterBuilder {
    const builder = new ClusterBuilder(this, name, region, issuer, kubernetes);
    this.account.clusters.push(builder.cluster);
    return builder;
  }

  error(error: CoverageError): void {
    this.account.errors.push(error);
  }
}

/** How a workload's pods got (or did not get) their AWS environment. */
type PodCredentials =
  /** What the webhook injects today for the service account (IRSA, Pod Identity, or nothing). */
  | { kind: 'current' }
  /** Created before the service account was annotated (or while the webhook was down): nothing. */
  | { kind: 'none' }
  /** Created when the service account was annotated with another role. */
  | { kind: 'irsa'; roleArn: string };

interface WorkloadSpec {
  namespace: string;
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Job';
  name: string;
  serviceAccount: string;
  replicas: number;
  containers: string[];
  initContainers?: string[];
  credentials?: PodCredentials;
  startTime: string;
  phase?: string;
  appEnv?: EnvVar[];
}

class ClusterBuilder {
  readonly cluster: Cluster;
  /** Changes pod-name suffixes and association ids when the cluster is re-created. */
  generation = 0;

  constructor(
    readonly owner: AccountBuilder,
    name: string,
    region: string,
    issuer: string,
    kubernetes: Cluster['kubernetes'],
  ) {
    this.cluster = {
      name,
      region,
      arn: `arn:aws:eks:${region}:${owner.id}:cluster/${name}`,
      oidcIssuer: `https://${issuer}`,
      podIdentityAssociations: [],
      kubernetes,
      serviceAccounts: [],
      pods: [],
    };
  }

  private saOf(namespace: string, name: string): ServiceAccount | undefined {
    return this.cluster.serviceAccounts.find((sa) => sa.namespace === namespace && sa.name === name);
  }

  /** A namespace: its `default` service account, which nothing annotates. */
  namespace(namespace: string): this {
    if (!this.saOf(namespace, 'default'))
      this.cluster.serviceAccounts.push({ namespace, name: 'default', annotations: {} });
    return this;
  }

  serviceAccount(
    namespace: string,
    name: string,
    roleArnValue?: string,
    extra: Record<string, string> = {},
    helmRelease?: string,
  ): this {
    this.namespace(namespace);
    const annotations: Record<string, string> = {};
    if (roleArnValue !== undefined) annotations['eks.amazonaws.com/role-arn'] = roleArnValue;
    Object.assign(annotations, extra);
    if (helmRelease) {
      annotations['meta.helm.sh/release-name'] = helmRelease;
      annotations['meta.helm.sh/release-namespace'] = namespace;
    }
    this.cluster.serviceAccounts.push({ namespace, name, annotations });
    return this;
  }

  association(namespace: string, serviceAccount: string, roleArnValue: string): this {
    const association: PodIdentityAssociation = {
      namespace,
      serviceAccount,
      roleArn: roleArnValue,
      associationId: associationId(`${this.cluster.arn}/${this.generation}/${namespace}/${serviceAccount}`),
    };
    this.cluster.podIdentityAssociations.push(association);
    return this;
  }

  /** The AWS variables the webhook would inject into a new pod of this service account now. */
  private injected(namespace: string, serviceAccount: string, credentials: PodCredentials): EnvVar[] {
    if (credentials.kind === 'none') return [];
    if (credentials.kind === 'irsa') {
      return [
        { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
        { name: 'AWS_ROLE_ARN', value: credentials.roleArn },
        { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
      ];
    }
    const association = this.cluster.podIdentityAssociations.find(
      (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
    );
    if (association) {
      return [
        { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
        { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: POD_IDENTITY_URI },
        { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: POD_IDENTITY_TOKEN_FILE },
      ];
    }
    const annotated = this.saOf(namespace, serviceAccount)?.annotations['eks.amazonaws.com/role-arn'];
    if (!annotated) return [];
    return this.injected(namespace, serviceAccount, { kind: 'irsa', roleArn: annotated });
  }

  workload(spec: WorkloadSpec): this {
    this.namespace(spec.namespace);
    const seed = `${this.cluster.arn}/${this.generation}/${spec.namespace}/${spec.kind}/${spec.name}`;
    const templateHash = suffix(`${seed}/template`, 10);
    const aws = this.injected(spec.namespace, spec.serviceAccount, spec.credentials ?? { kind: 'current' });
    const container = (name: string, init: boolean): Container => ({
      name,
      ...(init ? { init: true } : {}),
      env: [...(init ? [] : (spec.appEnv ?? [])), ...aws],
    });
    for (let i = 0; i < spec.replicas; i++) {
      let podName: string;
      if (spec.kind === 'Deployment') podName = `${spec.name}-${templateHash}-${suffix(`${seed}/${i}`, 5)}`;
      else if (spec.kind === 'StatefulSet') podName = `${spec.name}-${i}`;
      else podName = `${spec.name}-${suffix(`${seed}/${i}`, 5)}`;
      const pod: Pod = {
        namespace: spec.namespace,
        name: podName,
        serviceAccountName: spec.serviceAccount,
        phase: spec.phase ?? 'Running',
        labels: { 'app.kubernetes.io/name': spec.name },
        owner: { kind: spec.kind, name: spec.name },
        startTime: plusMinutes(spec.startTime, i * 3),
        containers: [
          ...(spec.initContainers ?? []).map((name) => container(name, true)),
          ...spec.containers.map((name) => container(name, false)),
        ],
      };
      this.cluster.pods.push(pod);
    }
    return this;
  }

  /** A Deployment whose pods run as a service account of the same name (the common Helm layout). */
  app(
    namespace: string,
    name: string,
    replicas: number,
    startTime: string,
    options: Partial<WorkloadSpec> = {},
  ): this {
    return this.workload({
      namespace,
      kind: 'Deployment',
      name,
      serviceAccount: name,
      replicas,
      containers: [name],
      startTime,
      ...options,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// The organization
// ---------------------------------------------------------------------------------------------------

const EKS_POLICIES = {
  cluster: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  worker: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  cni: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  ecrRead: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  ssm: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  ebsCsi: 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
};

const OTEL_ENV: EnvVar[] = [
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://adot-collector.observability:4317' },
];

function cpolicy(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:policy/${name}`;
}

/** Cluster-wide add-ons every cluster of the platform team runs (correct IRSA, no findings). */
function coreSystem(cluster: ClusterBuilder, started: string): void {
  cluster
    .namespace('default')
    .namespace('kube-node-lease')
    .namespace('kube-public')
    .serviceAccount('kube-system', 'coredns')
    .serviceAccount('kube-system', 'kube-proxy')
    .serviceAccount('kube-system', 'eks-pod-identity-agent')
    .serviceAccount('kube-system', 'ebs-csi-node-sa')
    .workload({
      namespace: 'kube-system',
      kind: 'Deployment',
      name: 'coredns',
      serviceAccount: 'coredns',
      replicas: 2,
      containers: ['coredns'],
      startTime: started,
    })
    .workload({
      namespace: 'kube-system',
      kind: 'DaemonSet',
      name: 'kube-proxy',
      serviceAccount: 'kube-proxy',
      replicas: 3,
      containers: ['kube-proxy'],
      startTime: started,
    })
    .workload({
      namespace: 'kube-system',
      kind: 'DaemonSet',
      name: 'eks-pod-identity-agent',
      serviceAccount: 'eks-pod-identity-agent',
      replicas: 3,
      containers: ['eks-pod-identity-agent'],
      startTime: started,
    });
}

function awsNode(cluster: ClusterBuilder, role: string, started: string): void {
  cluster.serviceAccount('kube-system', 'aws-node', role).workload({
    namespace: 'kube-system',
    kind: 'DaemonSet',
    name: 'aws-node',
    serviceAccount: 'aws-node',
    replicas: 3,
    initContainers: ['aws-vpc-cni-init'],
    containers: ['aws-node', 'aws-eks-nodeagent'],
    startTime: started,
  });
}

function ebsCsiController(cluster: ClusterBuilder, role: string | undefined, started: string): void {
  cluster.serviceAccount('kube-system', 'ebs-csi-controller-sa', role).workload({
    namespace: 'kube-system',
    kind: 'Deployment',
    name: 'ebs-csi-controller',
    serviceAccount: 'ebs-csi-controller-sa',
    replicas: 2,
    containers: ['ebs-plugin', 'csi-provisioner', 'csi-attacher', 'csi-resizer', 'liveness-probe'],
    startTime: started,
  });
}

function loadBalancerController(cluster: ClusterBuilder, role: string, started: string): void {
  cluster
    .serviceAccount('kube-system', 'aws-load-balancer-controller', role, {}, 'aws-load-balancer-controller')
    .app('kube-system', 'aws-load-balancer-controller', 2, started);
}

function karpenter(cluster: ClusterBuilder, role: string, started: string): void {
  cluster
    .serviceAccount('karpenter', 'karpenter', role, {}, 'karpenter')
    .app('karpenter', 'karpenter', 2, started, { containers: ['controller'] });
}

function security(): Account {
  const sec = new AccountBuilder(ACCOUNTS.security, 'security');
  sec.provider(GITHUB_ISSUER);
  sec.baseline();
  sec.role('irsa-auditor-function', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['assume-member-roles', 'results-table', 'notify-topic'],
    lastUsed: '2026-11-29T03:00:04Z',
  });
  sec.role(
    'github-actions-irsa-auditor-deploy',
    githubActionsTrust(ACCOUNTS.security, 'acme-corp/irsa-auditor', 'ref:refs/heads/main'),
    { attached: [cpolicy(ACCOUNTS.security, 'cdk-deploy')], lastUsed: '2026-11-27T16:02:33Z' },
  );
  sec.role('AWSServiceRoleForAmazonGuardDuty', serviceTrust('guardduty.amazonaws.com'), {
    path: '/aws-service-role/guardduty.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/aws-service-role/AmazonGuardDutyServiceRolePolicy'],
  });
  sec.role('AWSReservedSSO_SecurityAudit_3f1c2a9b8d7e6f50', ssoTrust(ACCOUNTS.security), {
    path: '/aws-reserved/sso.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/SecurityAudit'],
  });
  return sec.account;
}

function prod(variant: DemoVariant): Account {
  const prod = new AccountBuilder(ACCOUNTS.prod, 'prod');
  const id = prod.id;
  const recreated = variant === 'changed';

  // OIDC providers. prod-use1-blue's provider outlived its cluster (2025 blue/green cut-over).
  const use1 = prod.provider(ISSUERS.prodUse1);
  const blue = prod.provider(ISSUERS.prodUse1Blue);
  // Re-creating prod-euw1 made Terraform replace its provider (the URL forces a new resource), but
  // the IRSA roles were not re-applied: they keep naming the original provider either way.
  const euw1 = providerOf(id, ISSUERS.prodEuw1);
  prod.provider(recreated ? ISSUERS.prodEuw1Recreated : ISSUERS.prodEuw1);
  prod.provider(GITHUB_ISSUER);

  prod.baseline();
  prod.role(
    'github-actions-deploy-prod',
    githubActionsTrust(id, 'acme-corp/platform-gitops', 'environment:prod'),
    {
      attached: [cpolicy(id, 'gitops-deploy')],
    },
  );
  prod.role('AWSServiceRoleForAmazonEKS', serviceTrust('eks.amazonaws.com'), {
    path: '/aws-service-role/eks.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/aws-service-role/AmazonEKSServiceRolePolicy'],
  });
  prod.role('AWSServiceRoleForAmazonEKSNodegroup', serviceTrust('eks-nodegroup.amazonaws.com'), {
    path: '/aws-service-role/eks-nodegroup.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForAmazonEKSNodegroup'],
  });
  prod.role(
    'prod-eks-cluster-role',
    serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    {
      attached: [EKS_POLICIES.cluster],
    },
  );
  prod.role('prod-eks-node-role', serviceTrust('ec2.amazonaws.com'), {
    attached: [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm],
  });
  prod.role('KarpenterNodeRole-prod-use1', serviceTrust('ec2.amazonaws.com'), {
    attached: [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm],
  });
  prod.role('orders-events-consumer', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'],
    inline: ['orders-table-write'],
  });

  // --- IRSA roles, prod-use1 -----------------------------------------------------------------------
  const albUse1 = prod.role(
    'eksctl-prod-use1-addon-iamserviceaccount-kube-Role1-9XK2M4Q7R1TZ',
    eksctlTrust(use1, 'kube-system', 'aws-load-balancer-controller'),
    { attached: [cpolicy(id, 'AWSLoadBalancerControllerIAMPolicy')] },
  );
  const ebsUse1 = prod.role(
    'AmazonEKS_EBS_CSI_DriverRole-prod-use1',
    eksctlTrust(use1, 'kube-system', 'ebs-csi-controller-sa'),
    { attached: [EKS_POLICIES.ebsCsi] },
  );
  const karpenterUse1 = prod.role(
    'KarpenterController-prod-use1',
    terraformTrust([{ provider: use1, serviceAccounts: ['karpenter:karpenter'] }]),
    { inline: ['KarpenterControllerPolicy'] },
  );
  const vpcCni = prod.role(
    'prod-vpc-cni',
    terraformTrust([
      { provider: use1, serviceAccounts: ['kube-system:aws-node'] },
      { provider: euw1, serviceAccounts: ['kube-system:aws-node'] },
    ]),
    { attached: [EKS_POLICIES.cni] },
  );
  const externalSecrets = prod.role(
    'prod-external-secrets',
    terraformTrust([
      { provider: use1, serviceAccounts: ['external-secrets:external-secrets'] },
      { provider: euw1, serviceAccounts: ['external-secrets:external-secrets'] },
    ]),
    { attached: [cpolicy(id, 'external-secrets-read-prod')] },
  );
  const certManagerUse1 = prod.role(
    'prod-use1-cert-manager',
    terraformTrust([{ provider: use1, serviceAccounts: ['cert-manager:cert-manager'] }], { emptySid: true }),
    { inline: ['route53-dns01'] },
  );
  const loki = prod.role(
    'prod-use1-loki-s3',
    terraformTrust([{ provider: use1, serviceAccounts: ['monitoring:loki'] }]),
    { inline: ['loki-chunks-bucket'] },
  );
  // Grafana was moved from prod-use1-blue to prod-use1; the module kept both providers in its list.
  const grafana = prod.role(
    'grafana-cloudwatch',
    terraformTrust(
      [
        { provider: use1, serviceAccounts: ['monitoring:grafana'] },
        { provider: blue, serviceAccounts: ['monitoring:grafana'] },
      ],
      { emptySid: true },
    ),
    { attached: ['arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess'] },
  );
  // Hand-written in 2020 from the first IRSA blog post: no aud condition.
  const fluentBit = prod.role(
    'prod-use1-fluent-bit',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: use1.arn },
          Action: WEB_IDENTITY,
          Condition: { StringEquals: { [`${use1.issuer}:sub`]: subject('logging', 'fluent-bit') } },
        },
      ],
    },
    { attached: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'] },
  );
  const tempo = prod.role(
    'prod-use1-tempo',
    // Copied from a module that built the keys from the issuer URL, scheme included.
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: use1.arn },
          Action: WEB_IDENTITY,
          Condition: {
            StringEquals: {
              [`https://${use1.issuer}:sub`]: subject('monitoring', 'tempo'),
              [`https://${use1.issuer}:aud`]: AUD,
            },
          },
        },
      ],
    },
    { inline: ['tempo-traces-bucket'] },
  );
  const ordersApi = prod.role(
    'ProdOrdersStack-OrdersApiServiceAccountRoleB5C3F2A1-1Q2W3E4R5T6Y',
    cdkTrust(use1, 'orders', 'orders-api'),
    { inline: ['OrdersApiServiceAccountRoleDefaultPolicy7C2D1E0F'] },
  );
  const ordersWorker = prod.role(
    'ProdOrdersStack-OrdersWorkerServiceAccountRole3A9E1B7C-8U7Y6T5R4E3W',
    cdkTrust(use1, 'orders', 'orders-worker'),
    { inline: ['OrdersWorkerServiceAccountRoleDefaultPolicy5B8A2C4D'] },
  );
  // INC-4471: the namespace was written `payment`; fixed in the `changed` variant.
  const paymentsApi = prod.role(
    'prod-payments-api',
    terraformTrust([
      { provider: use1, serviceAccounts: [recreated ? 'payments:payments-api' : 'payment:payments-api'] },
    ]),
    { inline: ['payments-kms-decrypt', 'payments-sqs'] },
  );
  const paymentsReconciler = prod.role(
    'prod-payments-reconciler',
    terraformTrust([{ provider: use1, serviceAccounts: ['payments:payments-reconciler'] }]),
    { inline: ['payments-reconciler-s3'] },
  );
  // The role moved under /service-roles/ (and the old one was deleted); the pods were not restarted.
  const searchIndexer = prod.role(
    'prod-search-indexer',
    terraformTrust([{ provider: use1, serviceAccounts: ['search:search-indexer'] }]),
    { path: '/service-roles/', inline: ['opensearch-write'] },
  );
  const checkoutApi = prod.role('prod-checkout-api', docsTrust(use1, 'checkout', 'checkout-api'), {
    attached: [cpolicy(id, 'checkout-api-dynamodb')],
  });
  // The AWS docs' cross-account "chained" example, copied as-is: no Condition at all.
  const argoArtifacts = prod.role(
    'argo-workflows-artifacts',
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: use1.arn }, Action: WEB_IDENTITY }],
    },
    { inline: ['argo-artifacts-bucket'] },
  );
  // Vault reads the same projected token for its JWT auth, so the SA asks for audience `vault`.
  const vault = prod.role('prod-vault-aws-auth', docsTrust(use1, 'vault', 'vault', 'vault'), {
    inline: ['vault-iam-auth', 'vault-kms-unseal'],
  });
  // Permissions moved to the billing account's CUR bucket policy, and the role's policy was detached.
  const kubecost = prod.role(
    'prod-kubecost-cur-reader',
    terraformTrust([{ provider: use1, serviceAccounts: ['kubecost:kubecost-cost-analyzer'] }]),
    { lastUsed: '2026-09-14T06:00:02Z' },
  );
  // "Only from our VPC": aws:SourceIp is the NAT gateway's address, and undecidable for the audit.
  const reportingExporter = prod.role(
    'prod-reporting-exporter',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: use1.arn },
          Action: WEB_IDENTITY,
          Condition: {
            StringEquals: {
              [`${use1.issuer}:sub`]: subject('reporting', 'exporter'),
              [`${use1.issuer}:aud`]: AUD,
            },
            IpAddress: { 'aws:SourceIp': ['10.20.0.0/16'] },
          },
        },
      ],
    },
    { inline: ['reporting-exports-bucket'] },
  );
  // Two merged pull requests: one narrowed to ml/trainer, the other to the ml-batch namespace.
  const mlTrainer = prod.role(
    'prod-ml-trainer',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: use1.arn },
          Action: WEB_IDENTITY,
          Condition: {
            StringEquals: {
              [`${use1.issuer}:sub`]: subject('ml', 'trainer'),
              [`${use1.issuer}:aud`]: AUD,
            },
            StringLike: { [`${use1.issuer}:sub`]: 'system:serviceaccount:ml-batch:*' },
          },
        },
      ],
    },
    { attached: [cpolicy(id, 'ml-training-data')] },
  );
  // Any namespace's `spark-driver`: every team that creates one gets the data lake write role.
  const sparkJobs = prod.role(
    'prod-spark-jobs',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: use1.arn },
          Action: WEB_IDENTITY,
          Condition: {
            StringLike: { [`${use1.issuer}:sub`]: 'system:serviceaccount:*:spark-driver' },
            StringEquals: { [`${use1.issuer}:aud`]: AUD },
          },
        },
      ],
    },
    { attached: [cpolicy(id, 'spark-lake-readwrite')] },
  );
  // velero chart 5.x renamed the service account from velero-server to velero.
  const velero = prod.role(
    'prod-use1-velero',
    terraformTrust([{ provider: use1, serviceAccounts: ['velero:velero-server'] }]),
    { inline: ['velero-backups-bucket'] },
  );
  const adotCollector = prod.role('prod-use1-adot-collector', cdkPodIdentityTrust(), {
    attached: [
      'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
      'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
    ],
  });
  const reportExporterPodIdentity = prod.role('prod-report-exporter-pod-identity', docsPodIdentityTrust(), {
    inline: ['report-exports-bucket'],
    lastUsed: '2026-06-30T01:12:40Z',
  });
  const clickhouseBackup = roleArn(id, 'prod-clickhouse-backup'); // deleted by the IAM clean-up
  const sparkHistory = roleArn(ACCOUNTS.dataLake, 'spark-history-reader');

  // --- IRSA roles, prod-euw1 -----------------------------------------------------------------------
  const albEuw1 = prod.role(
    'eksctl-prod-euw1-addon-iamserviceaccount-kube-Role1-3HV8N2C6P0LD',
    eksctlTrust(euw1, 'kube-system', 'aws-load-balancer-controller'),
    { attached: [cpolicy(id, 'AWSLoadBalancerControllerIAMPolicy')] },
  );
  const ebsEuw1 = prod.role(
    'AmazonEKS_EBS_CSI_DriverRole-prod-euw1',
    eksctlTrust(euw1, 'kube-system', 'ebs-csi-controller-sa'),
    { attached: [EKS_POLICIES.ebsCsi] },
  );
  const karpenterEuw1 = prod.role(
    'KarpenterController-prod-euw1',
    terraformTrust([{ provider: euw1, serviceAccounts: ['karpenter:karpenter'] }]),
    { inline: ['KarpenterControllerPolicy'] },
  );
  const karpenterEuw1PodIdentity = prod.role(
    'KarpenterController-prod-euw1-pod-identity',
    eksctlPodIdentityTrust(),
    {
      inline: ['KarpenterControllerPolicy'],
    },
  );
  const certManagerEuw1 = prod.role(
    'prod-euw1-cert-manager',
    terraformTrust([{ provider: euw1, serviceAccounts: ['cert-manager:cert-manager'] }]),
    { inline: ['route53-dns01'] },
  );
  const catalog = prod.role(
    'prod-catalog',
    terraformTrust([{ provider: euw1, serviceAccounts: ['catalog:catalog-api', 'catalog:catalog-worker'] }]),
    { inline: ['catalog-dynamodb', 'catalog-images-bucket'] },
  );
  // Pod Identity role written by hand: sts:TagSession is missing, pods get no credentials.
  const notifier = prod.role(
    'prod-euw1-notifier-pod-identity',
    serviceTrust('pods.eks.amazonaws.com', 'sts:AssumeRole'),
    { inline: ['notifier-ses-send'], lastUsed: null },
  );
  prod.role(
    'prod-euw1-eks-cluster-role',
    serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    {
      attached: [EKS_POLICIES.cluster],
    },
  );
  prod.role('KarpenterNodeRole-prod-euw1', serviceTrust('ec2.amazonaws.com'), {
    attached: [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm],
  });

  const externalDnsProdUse1 = roleArn(ACCOUNTS.shared, 'external-dns-prod-use1');
  const externalDnsProdEuw1 = roleArn(ACCOUNTS.shared, 'external-dns-prod-euw1');

  // --- prod-use1 ------------------------------------------------------------------------------------
  const pu1 = prod.cluster('prod-use1', 'us-east-1', ISSUERS.prodUse1, { status: 'ok' });
  const t0 = '2026-11-18T09:12:44Z';
  coreSystem(pu1, '2026-11-04T02:10:00Z');
  awsNode(pu1, vpcCni, '2026-11-04T02:11:30Z');
  ebsCsiController(pu1, ebsUse1, '2026-11-04T02:14:05Z');
  loadBalancerController(pu1, albUse1, '2026-11-12T10:03:19Z');
  karpenter(pu1, karpenterUse1, '2026-11-12T10:05:51Z');
  pu1
    .serviceAccount('external-dns', 'external-dns', externalDnsProdUse1, {}, 'external-dns')
    .app('external-dns', 'external-dns', 1, '2026-11-12T10:08:02Z')
    .serviceAccount('external-secrets', 'external-secrets', externalSecrets, {}, 'external-secrets')
    .serviceAccount('external-secrets', 'external-secrets-webhook', undefined, {}, 'external-secrets')
    .app('external-secrets', 'external-secrets', 2, '2026-11-12T10:09:40Z')
    .app('external-secrets', 'external-secrets-webhook', 1, '2026-11-12T10:09:40Z')
    .serviceAccount('cert-manager', 'cert-manager', certManagerUse1, {}, 'cert-manager')
    .serviceAccount('cert-manager', 'cert-manager-cainjector', undefined, {}, 'cert-manager')
    .serviceAccount('cert-manager', 'cert-manager-webhook', undefined, {}, 'cert-manager')
    .app('cert-manager', 'cert-manager', 1, '2026-11-12T10:11:12Z', {
      containers: ['cert-manager-controller'],
    })
    .app('cert-manager', 'cert-manager-cainjector', 1, '2026-11-12T10:11:12Z')
    .app('cert-manager', 'cert-manager-webhook', 1, '2026-11-12T10:11:12Z')
    .serviceAccount('monitoring', 'loki', recreated ? undefined : loki, {}, 'loki')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'loki',
      serviceAccount: 'loki',
      replicas: 3,
      containers: ['loki'],
      startTime: '2026-11-21T08:40:00Z',
      // The Helm upgrade only changed the ServiceAccount: the StatefulSet was not rolled.
      credentials: { kind: 'irsa', roleArn: loki },
    })
    .serviceAccount('monitoring', 'grafana', grafana, {}, 'grafana')
    .app('monitoring', 'grafana', 1, '2026-11-21T08:42:10Z', { initContainers: ['init-chown-data'] })
    .serviceAccount('monitoring', 'tempo', tempo, {}, 'tempo')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'tempo',
      serviceAccount: 'tempo',
      replicas: 1,
      containers: ['tempo'],
      startTime: '2026-11-21T08:45:31Z',
    })
    .serviceAccount('monitoring', 'prometheus', undefined, {}, 'kube-prometheus-stack')
    .workload({
      namespace: 'monitoring',
      kind: 'StatefulSet',
      name: 'prometheus-kube-prometheus-stack',
      serviceAccount: 'prometheus',
      replicas: 2,
      containers: ['prometheus', 'config-reloader'],
      initContainers: ['init-config-reloader'],
      startTime: '2026-11-21T08:39:02Z',
    })
    .serviceAccount('logging', 'fluent-bit', fluentBit, {}, 'fluent-bit')
    .workload({
      namespace: 'logging',
      kind: 'DaemonSet',
      name: 'fluent-bit',
      serviceAccount: 'fluent-bit',
      replicas: 3,
      containers: ['fluent-bit'],
      startTime: '2026-11-04T02:30:00Z',
    })
    .serviceAccount('observability', 'adot-collector')
    .association('observability', 'adot-collector', adotCollector)
    .app('observability', 'adot-collector', 2, '2026-11-15T12:00:00Z')
    .serviceAccount('orders', 'orders-api', ordersApi)
    .app('orders', 'orders-api', 3, t0, { appEnv: OTEL_ENV })
    // Annotated on 2026-11-26 (CHG-2291); the Deployment has not been restarted since the 18th.
    .serviceAccount('orders', 'orders-worker', ordersWorker)
    .app('orders', 'orders-worker', 2, t0, { appEnv: OTEL_ENV, credentials: { kind: 'none' } })
    .serviceAccount('payments', 'payments-api', paymentsApi)
    .app('payments', 'payments-api', 3, t0, { appEnv: OTEL_ENV })
    .serviceAccount('payments', 'payments-reconciler', paymentsReconciler)
    .workload({
      namespace: 'payments',
      kind: 'Job',
      name: 'payments-reconciler-29401380',
      serviceAccount: 'payments-reconciler',
      replicas: 1,
      containers: ['reconciler'],
      startTime: '2026-11-29T02:00:00Z',
      phase: 'Succeeded',
    })
    .serviceAccount('search', 'search-indexer', searchIndexer)
    .app('search', 'search-indexer', 2, '2026-11-10T15:22:08Z', {
      credentials: { kind: 'irsa', roleArn: roleArn(id, 'prod-search-indexer') },
    })
    .serviceAccount('checkout', 'checkout-api', checkoutApi)
    .app('checkout', 'checkout-api', 3, t0, { appEnv: OTEL_ENV })
    .serviceAccount('argo', 'argo-workflow', argoArtifacts, {}, 'argo-workflows')
    .serviceAccount('argo', 'argo-server', undefined, {}, 'argo-workflows')
    .app('argo', 'argo-server', 1, '2026-11-12T11:30:00Z')
    .serviceAccount('vault', 'vault', vault, { 'eks.amazonaws.com/audience': 'vault' }, 'vault')
    .workload({
      namespace: 'vault',
      kind: 'StatefulSet',
      name: 'vault',
      serviceAccount: 'vault',
      replicas: 3,
      containers: ['vault'],
      startTime: '2026-11-08T07:15:00Z',
    })
    .serviceAccount('kubecost', 'kubecost-cost-analyzer', kubecost, {}, 'kubecost')
    .app('kubecost', 'kubecost-cost-analyzer', 1, '2026-11-12T11:45:00Z', {
      containers: ['cost-model', 'cost-analyzer-frontend'],
    })
    .serviceAccount('reporting', 'exporter', reportingExporter)
    .app('reporting', 'exporter', 1, t0, { name: 'report-exporter' })
    .serviceAccount('ml', 'trainer', mlTrainer)
    .app('ml', 'trainer', 1, '2026-11-27T20:05:00Z', { name: 'trainer' })
    .serviceAccount('data-ingest', 'spark-driver', sparkJobs)
    .serviceAccount('data-reporting', 'spark-driver', sparkJobs)
    .app('data-ingest', 'spark-ingest-driver', 1, '2026-11-29T01:30:00Z', { serviceAccount: 'spark-driver' })
    .serviceAccount('spark', 'spark-history-server', sparkHistory, {}, 'spark-history-server')
    .app('spark', 'spark-history-server', 1, '2026-11-12T12:00:00Z')
    .serviceAccount('velero', 'velero', velero, {}, 'velero')
    .app('velero', 'velero', 1, '2026-11-20T04:00:00Z', { initContainers: ['velero-plugin-for-aws'] })
    .serviceAccount('clickhouse', 'clickhouse-backup', clickhouseBackup)
    .serviceAccount('clickhouse', 'clickhouse')
    .workload({
      namespace: 'clickhouse',
      kind: 'StatefulSet',
      name: 'clickhouse',
      serviceAccount: 'clickhouse',
      replicas: 2,
      containers: ['clickhouse'],
      startTime: '2026-11-02T03:00:00Z',
    })
    // Metabase moved from Athena to the Postgres replica: the annotation and the role were removed,
    // but only the ServiceAccount changed, so the Deployment was not rolled and still has the role.
    .serviceAccount('analytics', 'metabase', undefined, {}, 'metabase')
    .app('analytics', 'metabase', 1, '2026-11-16T18:25:00Z', {
      appEnv: [{ name: 'MB_DB_TYPE', value: 'postgres' }],
      credentials: { kind: 'irsa', roleArn: roleArn(id, 'prod-metabase-athena') },
    })
    // A Pod Identity association left behind when the batch namespace was removed.
    .association('batch', 'report-exporter', reportExporterPodIdentity);

  // --- prod-euw1 ------------------------------------------------------------------------------------
  const pe1 = prod.cluster(
    'prod-euw1',
    'eu-west-1',
    recreated ? ISSUERS.prodEuw1Recreated : ISSUERS.prodEuw1,
    { status: 'ok' },
  );
  pe1.generation = recreated ? 1 : 0;
  const e0 = recreated ? '2026-11-28T21:05:00Z' : '2026-11-06T08:30:00Z';
  const e1 = recreated ? '2026-11-28T21:40:00Z' : '2026-11-19T14:02:00Z';
  coreSystem(pe1, e0);
  awsNode(pe1, vpcCni, plusMinutes(e0, 2));
  ebsCsiController(pe1, ebsEuw1, plusMinutes(e0, 5));
  loadBalancerController(pe1, albEuw1, plusMinutes(e0, 9));
  // Karpenter is being moved to Pod Identity: the association exists, the annotation is still there.
  pe1.association('karpenter', 'karpenter', karpenterEuw1PodIdentity);
  pe1
    .serviceAccount('karpenter', 'karpenter', karpenterEuw1, {}, 'karpenter')
    .workload({
      namespace: 'karpenter',
      kind: 'Deployment',
      name: 'karpenter',
      serviceAccount: 'karpenter',
      replicas: 2,
      containers: ['controller'],
      startTime: plusMinutes(e0, 11),
      credentials: recreated ? { kind: 'current' } : { kind: 'irsa', roleArn: karpenterEuw1 },
    })
    .serviceAccount('external-dns', 'external-dns', externalDnsProdEuw1, {}, 'external-dns')
    .app('external-dns', 'external-dns', 1, plusMinutes(e0, 14))
    .serviceAccount('external-secrets', 'external-secrets', externalSecrets, {}, 'external-secrets')
    .app('external-secrets', 'external-secrets', 2, plusMinutes(e0, 15))
    .serviceAccount('cert-manager', 'cert-manager', certManagerEuw1, {}, 'cert-manager')
    .app('cert-manager', 'cert-manager', 1, plusMinutes(e0, 16), { containers: ['cert-manager-controller'] })
    .serviceAccount('catalog', 'catalog-api', catalog)
    .app('catalog', 'catalog-api', 3, e1, { appEnv: OTEL_ENV })
    .serviceAccount('catalog', 'catalog-worker', catalog)
    .app('catalog', 'catalog-worker', 2, e1, { appEnv: OTEL_ENV })
    .serviceAccount('notifications', 'notifier')
    .association('notifications', 'notifier', notifier)
    .app('notifications', 'notifier', 2, e1);

  prod.error({
    scope: 'region',
    region: 'ap-southeast-3',
    code: 'AccessDeniedException',
    message: `User: arn:aws:sts::${id}:assumed-role/irsa-auditor-member/irsa-audit-20261129T030000Z is not authorized to perform: eks:ListClusters on resource: arn:aws:eks:ap-southeast-3:${id}:cluster/* with an explicit deny in a service control policy`,
  });
  return prod.account;
}

function staging(): Account {
  const stg = new AccountBuilder(ACCOUNTS.staging, 'staging');
  const id = stg.id;
  const current = stg.provider(ISSUERS.stagingUse1);
  // Deleted by Terraform with the old cluster; the app teams' stacks still name it.
  const old = providerOf(id, ISSUERS.stagingUse1Old);
  stg.provider(GITHUB_ISSUER);

  stg.baseline();
  stg.role(
    'github-actions-deploy-staging',
    githubActionsTrust(id, 'acme-corp/platform-gitops', 'ref:refs/heads/*'),
    {
      attached: [cpolicy(id, 'gitops-deploy')],
    },
  );
  stg.role('AWSServiceRoleForAmazonEKS', serviceTrust('eks.amazonaws.com'), {
    path: '/aws-service-role/eks.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/aws-service-role/AmazonEKSServiceRolePolicy'],
  });
  stg.role(
    'staging-eks-cluster-role',
    serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    {
      attached: [EKS_POLICIES.cluster],
    },
  );
  stg.role('KarpenterNodeRole-staging-use1', serviceTrust('ec2.amazonaws.com'), {
    attached: [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm],
  });
  stg.role('staging-db-snapshot-cleanup', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['rds-snapshots'],
  });

  // Platform add-ons: re-applied right after the re-creation, so they trust the current issuer.
  const alb = stg.role(
    'eksctl-staging-use1-addon-iamserviceaccount-kube-Role1-L5R8Q1W3E7TY',
    eksctlTrust(current, 'kube-system', 'aws-load-balancer-controller'),
    { attached: [cpolicy(id, 'AWSLoadBalancerControllerIAMPolicy')] },
  );
  const karpenterRole = stg.role(
    'KarpenterController-staging-use1',
    terraformTrust([{ provider: current, serviceAccounts: ['karpenter:karpenter'] }]),
    { inline: ['KarpenterControllerPolicy'] },
  );
  // The EBS CSI add-on was re-installed on the new cluster without --service-account-role-arn.
  stg.role(
    'AmazonEKS_EBS_CSI_DriverRole-staging-use1',
    eksctlTrust(current, 'kube-system', 'ebs-csi-controller-sa'),
    {
      attached: [EKS_POLICIES.ebsCsi],
    },
  );
  const vpcCni = stg.role(
    'staging-vpc-cni',
    terraformTrust([{ provider: current, serviceAccounts: ['kube-system:aws-node'] }]),
    { attached: [EKS_POLICIES.cni] },
  );
  const externalSecrets = stg.role(
    'staging-external-secrets',
    terraformTrust([{ provider: current, serviceAccounts: ['external-secrets:external-secrets'] }]),
    { attached: [cpolicy(id, 'external-secrets-read-staging')] },
  );
  const certManager = stg.role(
    'staging-cert-manager',
    terraformTrust([{ provider: current, serviceAccounts: ['cert-manager:cert-manager'] }]),
    { inline: ['route53-dns01'] },
  );
  // EKS Blueprints' argocd irsa module (Sid "", StringLike on both keys): namespace-wide.
  const argocd = stg.role(
    'argo-cd-sa-irsa',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: '',
          Effect: 'Allow',
          Action: WEB_IDENTITY,
          Principal: { Federated: current.arn },
          Condition: {
            StringLike: {
              [`${current.issuer}:sub`]: 'system:serviceaccount:argocd:argocd-*',
              [`${current.issuer}:aud`]: AUD,
            },
          },
        },
      ],
    },
    { inline: ['argocd-ecr-helm-charts'] },
  );
  // App teams' roles: still on the old issuer, whose provider is gone.
  const ordersApi = stg.role(
    'StagingOrdersStack-OrdersApiServiceAccountRole0C4F7A2B-2P9L8K7J6H5G',
    cdkTrust(old, 'orders', 'orders-api'),
    { inline: ['OrdersApiServiceAccountRoleDefaultPolicy7C2D1E0F'] },
  );
  const catalogWorker = stg.role(
    'staging-catalog-worker',
    terraformTrust([{ provider: old, serviceAccounts: ['catalog:catalog-worker'] }]),
    { inline: ['catalog-dynamodb'] },
  );
  // Copied from the pod-identity-webhook README: wrong host order, no /id/.
  const reportGenerator = stg.role(
    'staging-report-generator',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: `arn:aws:iam::${id}:oidc-provider/oidc.us-east-1.eks.amazonaws.com/C8A2E6F0B4D83917A5C7E9B1D3F50264`,
          },
          Action: WEB_IDENTITY,
          Condition: {
            StringEquals: {
              'oidc.us-east-1.eks.amazonaws.com/C8A2E6F0B4D83917A5C7E9B1D3F50264:sub': subject(
                'reports',
                'report-generator',
              ),
            },
          },
        },
      ],
    },
    { inline: ['reports-bucket'] },
  );
  // Trust copied from an EC2 instance role: sts:AssumeRole instead of AssumeRoleWithWebIdentity.
  const searchIndexer = stg.role(
    'staging-search-indexer',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: current.arn },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: {
              [`${current.issuer}:sub`]: subject('search', 'search-indexer'),
              [`${current.issuer}:aud`]: AUD,
            },
          },
        },
      ],
    },
    { inline: ['opensearch-write'] },
  );
  // "Every SA of the jobs namespace" written under StringEquals: the `*` is literal.
  const nightlyExport = stg.role(
    'staging-nightly-export',
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: current.arn },
          Action: WEB_IDENTITY,
          Condition: {
            StringEquals: {
              [`${current.issuer}:sub`]: 'system:serviceaccount:jobs:*',
              [`${current.issuer}:aud`]: AUD,
            },
          },
        },
      ],
    },
    { inline: ['exports-bucket'] },
  );
  // The module prefixes `system:serviceaccount:` itself; the input already had it.
  const invoiceWorker = stg.role(
    'staging-invoice-worker',
    terraformTrust([
      { provider: current, serviceAccounts: ['system:serviceaccount:billing:invoice-worker'] },
    ]),
    { inline: ['invoices-bucket'] },
  );
  const thumbnailer = stg.role(
    'staging-thumbnailer',
    terraformTrust([{ provider: current, serviceAccounts: ['media:thumbnailer'] }]),
    { inline: ['media-bucket'] },
  );
  // Copied from the cn-north-1 module: the China audience, which EKS tokens never carry.
  const checkoutApi = stg.role(
    'staging-checkout-api',
    docsTrust(current, 'checkout', 'checkout-api', 'sts.amazonaws.com.cn'),
    { attached: [cpolicy(id, 'checkout-api-dynamodb')] },
  );
  const storefront = stg.role(
    'staging-storefront',
    terraformTrust([{ provider: current, serviceAccounts: ['web:storefront'] }]),
    { inline: ['storefront-assets'] },
  );
  // eksctl `create iamserviceaccount` from a config without namespace/name: aud only, cluster-wide.
  const tektonEcrPush = stg.role(
    'staging-tekton-ecr-push',
    {
      Statement: [
        {
          Action: [WEB_IDENTITY],
          Condition: { StringEquals: { [`${current.issuer}:aud`]: AUD } },
          Effect: 'Allow',
          Principal: { Federated: current.arn },
        },
      ],
      Version: '2012-10-17',
    },
    { attached: ['arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds'] },
  );
  const flagd = stg.role('staging-flagd', cdkTrust(current, 'experiments', 'flagd'), {
    inline: ['flagd-config-bucket'],
  });
  const ledgerSync = roleArn(id, 'staging-ledger-sync-pod-identity'); // destroyed with the old stack
  const externalDns = roleArn(ACCOUNTS.shared, 'external-dns-staging');

  const cluster = stg.cluster('staging-use1', 'us-east-1', ISSUERS.stagingUse1, { status: 'ok' });
  const s0 = '2026-11-20T16:45:00Z';
  const s1 = '2026-11-24T10:15:00Z';
  coreSystem(cluster, s0);
  awsNode(cluster, vpcCni, plusMinutes(s0, 2));
  ebsCsiController(cluster, undefined, plusMinutes(s0, 6));
  loadBalancerController(cluster, alb, plusMinutes(s0, 9));
  karpenter(cluster, karpenterRole, plusMinutes(s0, 12));
  cluster
    .serviceAccount('external-dns', 'external-dns', externalDns, {}, 'external-dns')
    .app('external-dns', 'external-dns', 1, plusMinutes(s0, 15))
    .serviceAccount('external-secrets', 'external-secrets', externalSecrets, {}, 'external-secrets')
    .app('external-secrets', 'external-secrets', 1, plusMinutes(s0, 16))
    .serviceAccount('cert-manager', 'cert-manager', certManager, {}, 'cert-manager')
    .app('cert-manager', 'cert-manager', 1, plusMinutes(s0, 17), { containers: ['cert-manager-controller'] })
    .serviceAccount('argocd', 'argocd-application-controller', argocd, {}, 'argo-cd')
    .serviceAccount('argocd', 'argocd-server', argocd, {}, 'argo-cd')
    .serviceAccount('argocd', 'argocd-repo-server', undefined, {}, 'argo-cd')
    .workload({
      namespace: 'argocd',
      kind: 'StatefulSet',
      name: 'argocd-application-controller',
      serviceAccount: 'argocd-application-controller',
      replicas: 1,
      containers: ['application-controller'],
      startTime: plusMinutes(s0, 20),
    })
    .app('argocd', 'argocd-server', 1, plusMinutes(s0, 20))
    .app('argocd', 'argocd-repo-server', 1, plusMinutes(s0, 20), { initContainers: ['copyutil'] })
    .serviceAccount('orders', 'orders-api', ordersApi)
    .app('orders', 'orders-api', 2, s1, { appEnv: OTEL_ENV })
    .serviceAccount('catalog', 'catalog-worker', catalogWorker)
    .app('catalog', 'catalog-worker', 1, s1, { appEnv: OTEL_ENV })
    .serviceAccount('reports', 'report-generator', reportGenerator)
    .app('reports', 'report-generator', 1, s1)
    .serviceAccount('search', 'search-indexer', searchIndexer)
    .app('search', 'search-indexer', 1, s1)
    .serviceAccount('jobs', 'nightly-export', nightlyExport)
    .workload({
      namespace: 'jobs',
      kind: 'Job',
      name: 'nightly-export-29401320',
      serviceAccount: 'nightly-export',
      replicas: 1,
      containers: ['export'],
      startTime: '2026-11-29T01:00:00Z',
      phase: 'Failed',
    })
    .serviceAccount('billing', 'invoice-worker', invoiceWorker)
    .app('billing', 'invoice-worker', 1, s1)
    // A typo in the Helm values: the webhook only reads eks.amazonaws.com/role-arn.
    .serviceAccount(
      'media',
      'thumbnailer',
      undefined,
      { 'eks.amazon.com/role-arn': thumbnailer },
      'thumbnailer',
    )
    .app('media', 'thumbnailer', 2, s1)
    .serviceAccount('checkout', 'checkout-api', checkoutApi)
    .app('checkout', 'checkout-api', 2, s1, { appEnv: OTEL_ENV })
    // Helm values quoted twice ('"arn:…"'): the quotes are part of the annotation value.
    .serviceAccount('web', 'storefront', `"${storefront}"`, {}, 'storefront')
    .app('web', 'storefront', 2, s1)
    .serviceAccount('tekton-pipelines', 'tekton-ecr-push', tektonEcrPush)
    .serviceAccount('tekton-pipelines', 'tekton-pipelines-controller', undefined, {}, 'tekton-pipelines')
    .app('tekton-pipelines', 'tekton-pipelines-controller', 1, plusMinutes(s0, 25))
    .serviceAccount('experiments', 'flagd', flagd, {
      'eks.amazonaws.com/sts-regional-endpoints': 'enabled',
      'eks.amazonaws.com/token-expiration': '1h',
    })
    .app('experiments', 'flagd', 1, s1)
    .serviceAccount('payments', 'ledger-sync')
    .association('payments', 'ledger-sync', ledgerSync)
    .app('payments', 'ledger-sync', 1, s1);

  return stg.account;
}

function sharedServices(): Account {
  const shared = new AccountBuilder(ACCOUNTS.shared, 'shared-services');
  const id = shared.id;
  // Providers for the prod clusters' issuers, so that external-dns there can use the Route 53 roles
  // of this account (cross-account IRSA done right). The eu-west-1 one was created by hand in 2023
  // from a cn-north-1 runbook, with the China audience.
  const prodUse1 = shared.provider(ISSUERS.prodUse1);
  const prodEuw1 = shared.provider(ISSUERS.prodEuw1, ['sts.amazonaws.com.cn']);
  // Nobody has created a provider here for the re-created prod-euw1 (the `changed` variant) yet.

  shared.baseline();
  shared.role(
    'external-dns-prod-use1',
    terraformTrust([{ provider: prodUse1, serviceAccounts: ['external-dns:external-dns'] }]),
    { inline: ['route53-acme-com-records'] },
  );
  shared.role(
    'external-dns-prod-euw1',
    terraformTrust([{ provider: prodEuw1, serviceAccounts: ['external-dns:external-dns'] }]),
    { inline: ['route53-acme-eu-records'] },
  );
  // Cross-account IRSA done wrong: names the staging account's provider.
  shared.role(
    'external-dns-staging',
    terraformTrust([
      {
        provider: providerOf(ACCOUNTS.staging, ISSUERS.stagingUse1),
        serviceAccounts: ['external-dns:external-dns'],
      },
    ]),
    { inline: ['route53-staging-acme-com-records'], lastUsed: null },
  );
  const runners = shared.role('ci-runners-pod-identity', eksctlPodIdentityTrust(), {
    attached: [cpolicy(id, 'ci-runners-ecr-push')],
  });
  shared.role(
    'ci-runners-eks-cluster-role',
    serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    {
      attached: [EKS_POLICIES.cluster],
    },
  );
  shared.role('ci-runners-node-role', serviceTrust('ec2.amazonaws.com'), {
    attached: [EKS_POLICIES.worker, EKS_POLICIES.ecrRead, EKS_POLICIES.ssm, EKS_POLICIES.cni],
  });
  shared.role('AWSServiceRoleForAmazonEKS', serviceTrust('eks.amazonaws.com'), {
    path: '/aws-service-role/eks.amazonaws.com/',
    attached: ['arn:aws:iam::aws:policy/aws-service-role/AmazonEKSServiceRolePolicy'],
  });
  shared.role('ecr-replication-lambda', serviceTrust('lambda.amazonaws.com'), {
    attached: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    inline: ['ecr-replication'],
  });

  // Private endpoint only, and no access entry for the auditor's member role.
  shared
    .cluster('ci-runners-usw2', 'us-west-2', ISSUERS.ciRunnersUsw2, {
      status: 'unreachable',
      reason: `401 Unauthorized from the Kubernetes API: no EKS access entry for arn:aws:iam::${id}:role/irsa-auditor-member (authentication mode API_AND_CONFIG_MAP, not mapped in aws-auth either)`,
    })
    .association('arc-runners', 'arc-runner-set', runners);
  return shared.account;
}

function sandbox(): Account {
  const account = new AccountBuilder(ACCOUNTS.sandbox, 'sandbox');
  account.error({
    scope: 'account',
    code: 'AccessDenied',
    message: `User: arn:aws:sts::${ACCOUNTS.security}:assumed-role/irsa-auditor-function/irsa-auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNTS.sandbox}:role/irsa-auditor-member (the member-role StackSet is not deployed to the Sandbox OU)`,
  });
  return account.account;
}

export function buildDemoOrg(variant: DemoVariant = 'base'): Inventory {
  return {
    schemaVersion: 1,
    generatedAt: GENERATED_AT,
    accounts: [security(), prod(variant), staging(), sharedServices(), sandbox()],
  };
}

/**
 * The file text: 2-space JSON. A cluster whose Kubernetes API was not read has no `serviceAccounts`
 * or `pods` keys at all, as the collector writes it (empty lists would read as "read, and empty").
 */
export function renderDemoOrg(variant: DemoVariant = 'base'): string {
  const replacer = (key: string, value: unknown) => {
    if (key === 'trustPolicy') return trustPolicyToFile(value as TrustPolicy);
    if (key !== 'clusters' || !Array.isArray(value)) return value;
    return (value as Cluster[]).map((cluster) => {
      if (cluster.kubernetes.status === 'ok') return cluster;
      const { serviceAccounts: _serviceAccounts, pods: _pods, ...rest } = cluster;
      return rest;
    });
  };
  return `${JSON.stringify(buildDemoOrg(variant), replacer, 2)}\n`;
}

if (require.main === module) {
  const root = join(__dirname, '..');
  for (const variant of ['base', 'changed'] as const) {
    const text = renderDemoOrg(variant);
    writeFileSync(join(root, DEMO_FILES[variant]), text);
    process.stdout.write(`${DEMO_FILES[variant]}: ${text.length} bytes\n`);
  }
}
