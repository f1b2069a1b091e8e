/**
 * A synthetic AWS organization for the engine benchmark (and for tests that want a realistic
 * inventory): N roles, M service accounts and P pods spread over several accounts, regions and
 * clusters, deterministic for a given seed.
 *
 * The mix follows what an org-wide audit meets in practice: most IRSA roles are correct single-SA
 * trusts as eksctl / terraform / CDK / the AWS docs render them (scripts/shapes/trust-policies.ts,
 * shared with the demo organization and the tests), some are namespace-wide (`StringLike
 * …:<ns>:*`), a few percent are broken in the ways docs/irsa-semantics.md §7 lists; most other roles are not IRSA
 * (Lambda, EC2, SAML, GitHub OIDC, Pod Identity); service accounts are annotated, pods carry the
 * injected environment, and a few are stale. One account in four stores its trust policies as the
 * URL-encoded strings IAM returns. Everything is ASCII so the text stays a one-byte string.
 *
 * The document is produced as a stream of chunks (about 1 MB each), never as one object graph, so
 * 200k roles / 100k SAs / 300k pods can be written to a file without holding the inventory in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DEFAULT_AUDIENCE, type EnvVar, POD_IDENTITY_SERVICE } from '../lambda/core/model';
import { irsaEnvironment } from '../scripts/shapes/pod-environment';
import {
  accountRootTrust,
  awsDocsNamespaceTrust,
  awsDocsTrust,
  cdkServiceAccountTrust,
  eksctlTrust,
  githubActionsTrust,
  oidcProvider,
  POLICY_VERSION,
  samlTrust,
  serviceAccountSubject,
  serviceTrust,
  subjectAndAudience,
  type TrustDocument,
  terraformTrustFor,
  webIdentityTrust,
} from '../scripts/shapes/trust-policies';
import { seededRandom } from './seeded-random';

export interface OrgOptions {
  roles: number;
  serviceAccounts: number;
  pods: number;
  seed?: number;
}

export interface OrgStats {
  accounts: number;
  clusters: number;
  roles: number;
  serviceAccounts: number;
  pods: number;
  bytes: number;
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'];
const WORDS = [
  'api',
  'billing',
  'cart',
  'catalog',
  'checkout',
  'data',
  'events',
  'fraud',
  'gateway',
  'ingest',
  'inventory',
  'ledger',
  'media',
  'orders',
  'payments',
  'search',
  'shipping',
  'users',
  'worker',
  'reports',
];
const TEAMS = ['core', 'growth', 'platform', 'risk', 'ml', 'web', 'mobile', 'ops', 'finance', 'infra'];

/** How an IRSA role's trust is written (the annotated service account it is made for). */
type IrsaKind =
  | 'docs' // F1: StringEquals sub + aud
  | 'eksctl' // F2: Action array
  | 'terraform' // F3: sub as an array, Sid ""
  | 'cdk' // F4: aud before sub
  | 'namespace' // F1b: StringLike …:<ns>:*
  | 'prefix' // F2b content (StringLike …:<ns>:<app>-*, aud under StringEquals), docs' key order
  // Broken ones (docs/irsa-semantics.md §7):
  | 'aud-only'
  | 'equals-wildcard'
  | 'wrong-namespace'
  | 'foreign-key'
  | 'https-key'
  | 'stale-issuer'
  | 'other-account'
  | 'not-action';

const IRSA_MIX: readonly [IrsaKind, number][] = [
  ['docs', 40],
  ['eksctl', 20],
  ['terraform', 18],
  ['cdk', 8],
  ['namespace', 5],
  ['prefix', 2],
  ['aud-only', 1],
  ['equals-wildcard', 1],
  ['wrong-namespace', 1],
  ['foreign-key', 1],
  ['https-key', 0.5],
  ['stale-issuer', 1],
  ['other-account', 1],
  ['not-action', 0.5],
];

/** How a service account is annotated. */
type AnnotationKind = 'role' | 'none' | 'missing-role' | 'key-typo' | 'malformed' | 'unaudited';

/** What the pods of a service account carry. */
type PodEnvKind = 'injected' | 'not-injected' | 'stale' | 'plain' | 'orphan';

interface ClusterPlan {
  account: number;
  name: string;
  region: string;
  issuer: string;
  reachable: boolean;
  saStart: number;
  saEnd: number;
}

interface SaPlan {
  namespace: string;
  name: string;
  annotation: AnnotationKind;
  roleArn?: string;
  audience?: string;
  podIdentityRole?: string;
  pods: number;
  env: PodEnvKind;
}

/** A role, compact: its trust is rendered when written. */
interface RolePlan {
  name: string;
  kind: IrsaKind | 'lambda' | 'ec2' | 'saml' | 'github' | 'cross-account' | 'pod-identity';
  /** The service account an IRSA role is made for. */
  sa?: number;
  /** Account id in the Federated ARN (the role's own unless `other-account`). */
  providerAccount?: string;
  attached: boolean;
}

interface AccountPlan {
  id: string;
  name: string;
  urlEncoded: boolean;
  clusters: number[];
  roles: RolePlan[];
  /** Issuers this account has an OIDC provider for. */
  providerIssuers: string[];
  staleIssuer: string;
  regionError?: string;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function pickWeighted<T>(random: () => number, mix: readonly [T, number][]): T {
  let total = 0;
  for (const [, weight] of mix) total += weight;
  let roll = random() * total;
  for (const [item, weight] of mix) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return mix[mix.length - 1][0];
}

function hex(random: () => number, length: number, upper = true): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return upper ? out.toUpperCase() : out;
}

function accountIdOf(index: number): string {
  return String(210000000000 + index * 1_000_003).padStart(12, '0');
}

function issuerFor(random: () => number, region: string): string {
  return `oidc.eks.${region}.amazonaws.com/id/${hex(random, 32)}`;
}

function roleArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

/** Plans the organization: who is where, which role each SA uses. Small, index-based records only. */
function plan(options: OrgOptions) {
  const random = seededRandom(options.seed ?? 20261129);
  const roleTotal = Math.max(0, Math.floor(options.roles));
  const saTotal = Math.max(0, Math.floor(options.serviceAccounts));
  const podTotal = Math.max(0, Math.floor(options.pods));
  // IAM allows at most 5,000 roles per account (default quota 1,000): about 2,000 per account here.
  const accountCount = Math.max(3, Math.ceil(roleTotal / 2_000));
  // About 2,500 service accounts per cluster; one cluster in 20 (at least one) is unreachable.
  const reachableClusters = Math.max(3, Math.ceil(saTotal / 2_500));
  const clusterCount = reachableClusters + Math.max(1, Math.floor(reachableClusters / 20));
  // The last account is a shared IAM-only account (cross-account IRSA roles live there).
  const shared = accountCount - 1;
  const accounts: AccountPlan[] = [];
  for (let a = 0; a < accountCount; a++) {
    accounts.push({
      id: accountIdOf(a),
      name: a === shared ? 'shared-services' : `${pick(random, TEAMS)}-${a % 3 === 0 ? 'prod' : 'dev'}-${a}`,
      urlEncoded: a % 4 === 3,
      clusters: [],
      roles: [],
      providerIssuers: [],
      staleIssuer: issuerFor(random, REGIONS[a % REGIONS.length]),
      regionError: a === 1 ? 'ap-south-1' : undefined,
    });
  }
  const clusters: ClusterPlan[] = [];
  for (let c = 0; c < clusterCount; c++) {
    const account = accountCount > 1 ? c % (accountCount - 1) : 0;
    const region = REGIONS[(c * 7 + account) % REGIONS.length];
    clusters.push({
      account,
      name: `${pick(random, TEAMS)}-${region.split('-')[1]}-${c}`,
      region,
      issuer: issuerFor(random, region),
      reachable: c < reachableClusters,
      saStart: 0,
      saEnd: 0,
    });
    accounts[account].clusters.push(c);
    accounts[account].providerIssuers.push(clusters[c].issuer);
    // The shared account has a provider for every cluster issuer (the documented cross-account recipe).
    accounts[shared].providerIssuers.push(clusters[c].issuer);
  }
  for (const account of accounts) account.providerIssuers.push(account.staleIssuer);

  // Service accounts: evenly over the reachable clusters, 8 per namespace.
  const sas: SaPlan[] = new Array(saTotal);
  const saCluster = new Int32Array(saTotal);
  const podIdentityShare = 0.02;
  const irsaCapacity = Math.max(0, roleTotal - Math.ceil(saTotal * podIdentityShare) - 10);
  const annotatedShare = Math.min(0.8, saTotal > 0 ? irsaCapacity / saTotal : 0);
  let next = 0;
  let podsLeft = podTotal;
  for (let c = 0; c < reachableClusters; c++) {
    const cluster = clusters[c];
    const count = Math.floor(saTotal / reachableClusters) + (c < saTotal % reachableClusters ? 1 : 0);
    cluster.saStart = next;
    cluster.saEnd = next + count;
    for (let i = 0; i < count; i++, next++) {
      const nsIndex = Math.floor(i / 8);
      const namespace = `${TEAMS[nsIndex % TEAMS.length]}-${WORDS[Math.floor(nsIndex / TEAMS.length) % WORDS.length]}-${nsIndex}`;
      const name = i % 8 === 0 ? 'default' : `${WORDS[(i * 3 + nsIndex) % WORDS.length]}-${i % 8}`;
      const podsHere = Math.floor(podTotal / saTotal) + (next < podTotal % saTotal ? 1 : 0);
      podsLeft -= podsHere;
      const roll = random();
      let annotation: AnnotationKind = 'none';
      if (name !== 'default' && roll < annotatedShare) {
        const sub = random();
        if (sub < 0.003) annotation = 'missing-role';
        else if (sub < 0.005) annotation = 'key-typo';
        else if (sub < 0.007) annotation = 'malformed';
        else if (sub < 0.009) annotation = 'unaudited';
        else annotation = 'role';
      }
      let env: PodEnvKind = annotation === 'none' ? 'plain' : 'injected';
      const envRoll = random();
      if (annotation === 'role' && envRoll < 0.01) env = 'not-injected';
      else if (annotation === 'role' && envRoll < 0.015) env = 'stale';
      else if (annotation === 'none' && envRoll < 0.005) env = 'orphan';
      sas[next] = {
        namespace,
        name,
        annotation,
        pods: podsHere,
        env,
        audience: annotation === 'role' && random() < 0.002 ? 'vault' : undefined,
      };
      saCluster[next] = c;
    }
  }
  if (podsLeft !== 0 && saTotal > 0) sas[saTotal - 1].pods += podsLeft;

  // Roles: one IRSA role per annotated SA, then Pod Identity roles, then non-IRSA roles.
  let irsaCount = 0;
  for (let s = 0; s < saTotal; s++) {
    const sa = sas[s];
    const cluster = clusters[saCluster[s]];
    const home = accounts[cluster.account];
    const roleName = `${cluster.name}-${sa.namespace}-${sa.name}`;
    if (sa.annotation === 'none') {
      if (random() < podIdentityShare) {
        const name = `podid-${roleName}`;
        home.roles.push({ name, kind: 'pod-identity', attached: true });
        sa.podIdentityRole = roleArn(home.id, name);
      }
      continue;
    }
    if (sa.annotation === 'missing-role') {
      sa.roleArn = roleArn(home.id, `${roleName}-deleted`);
      continue;
    }
    if (sa.annotation === 'unaudited') {
      sa.roleArn = roleArn('999999999999', roleName);
      continue;
    }
    let kind = pickWeighted(random, IRSA_MIX);
    const crossAccount = kind === 'other-account' || random() < 0.03;
    const owner = crossAccount ? accounts[shared] : home;
    if (kind === 'other-account' && owner === home) kind = 'docs';
    owner.roles.push({
      name: roleName,
      kind,
      sa: s,
      providerAccount: kind === 'other-account' ? home.id : owner.id,
      attached: random() > 0.02,
    });
    irsaCount++;
    const arn = roleArn(owner.id, roleName);
    sa.roleArn =
      sa.annotation === 'malformed'
        ? random() < 0.5
          ? `"${arn}"`
          : arn.replace('arn:aws:iam::', 'arn:aws:iam:::')
        : arn;
  }
  const fillerKinds: RolePlan['kind'][] = ['lambda', 'ec2', 'lambda', 'saml', 'github', 'cross-account'];
  let placed = 0;
  for (const account of accounts) placed += account.roles.length;
  for (let r = placed; r < roleTotal; r++) {
    const account = accounts[r % accountCount];
    const kind = pick(random, fillerKinds);
    account.roles.push({ name: `${kind}-${pick(random, WORDS)}-${r}`, kind, attached: random() > 0.1 });
  }
  return { accounts, clusters, sas, saCluster, irsaCount };
}

type Plan = ReturnType<typeof plan>;

/** Renders the trust policy of one role (plain object, as IAM would return it after decoding). */
function trustOf(role: RolePlan, account: AccountPlan, org: Plan): TrustDocument {
  switch (role.kind) {
    case 'lambda':
      return serviceTrust('lambda.amazonaws.com');
    case 'ec2':
      return serviceTrust('ec2.amazonaws.com');
    case 'pod-identity':
      return serviceTrust(POD_IDENTITY_SERVICE, ['sts:AssumeRole', 'sts:TagSession']);
    case 'saml':
      return samlTrust(`arn:aws:iam::${account.id}:saml-provider/corp-idp`, 'sts:AssumeRoleWithSAML');
    case 'github':
      return githubActionsTrust(account.id, 'example/deploy', '*');
    case 'cross-account':
      return accountRootTrust(accountIdOf(0), { StringEquals: { 'sts:ExternalId': 'audit-2026' } });
    default:
      return irsaTrust(role, role.kind, org);
  }
}

function irsaTrust(role: RolePlan, kind: IrsaKind, org: Plan): TrustDocument {
  const s = role.sa!;
  const sa = org.sas[s];
  const cluster = org.clusters[org.saCluster[s]];
  let issuer = cluster.issuer;
  if (kind === 'stale-issuer') {
    // Cluster re-created: the trust still names the old issuer (its provider is still there).
    const owner = org.accounts.find((account) => account.id === role.providerAccount)!;
    issuer = owner.staleIssuer;
  }
  const provider = oidcProvider(role.providerAccount!, issuer);
  const subject = serviceAccountSubject(sa.namespace, sa.name);
  const audience = sa.audience ?? DEFAULT_AUDIENCE;
  // eksctl, terraform-aws-modules and CDK fix aud to sts.amazonaws.com: a custom audience is
  // written by hand, in the docs' shape.
  const tool = sa.audience ? 'docs' : kind;
  switch (tool) {
    case 'docs':
    case 'stale-issuer':
    case 'other-account':
      return awsDocsTrust(provider, sa.namespace, sa.name, audience);
    case 'eksctl':
      return eksctlTrust(provider, sa.namespace, sa.name);
    case 'terraform':
      return terraformTrustFor(provider, `${sa.namespace}:${sa.name}`, { emptySid: true });
    case 'cdk':
      return cdkServiceAccountTrust(provider, sa.namespace, sa.name);
    case 'namespace':
      return awsDocsNamespaceTrust(provider, sa.namespace, audience);
    case 'prefix':
      return webIdentityTrust(provider, {
        StringLike: {
          [`${issuer}:sub`]: serviceAccountSubject(sa.namespace, `${sa.name.split('-')[0]}-*`),
        },
        StringEquals: { [`${issuer}:aud`]: audience },
      });
    case 'aud-only':
      return webIdentityTrust(provider, { StringEquals: { [`${issuer}:aud`]: audience } });
    case 'equals-wildcard':
      return awsDocsTrust(provider, sa.namespace, '*', audience);
    case 'wrong-namespace':
      return awsDocsTrust(provider, `${sa.namespace}-old`, sa.name, audience);
    case 'foreign-key': {
      const other = org.clusters[(org.saCluster[s] + 1) % org.clusters.length].issuer;
      return webIdentityTrust(provider, subjectAndAudience(other, subject, audience));
    }
    case 'https-key':
      return webIdentityTrust(provider, subjectAndAudience(`https://${issuer}`, subject, audience));
    case 'not-action':
      return {
        Version: POLICY_VERSION,
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.arn },
            Condition: subjectAndAudience(issuer, subject, audience),
            NotAction: 'sts:AssumeRole',
          },
        ],
      };
  }
}

const APP_ENV = ['LOG_LEVEL', 'PORT', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'FEATURE_FLAGS', 'DB_HOST', 'CACHE_TTL'];

/** Streams the inventory JSON to `write` in chunks of about `chunkSize` characters. */
export function generateOrg(
  options: OrgOptions,
  write: (chunk: string) => void,
  chunkSize = 1 << 20,
): OrgStats {
  const org = plan(options);
  const random = seededRandom((options.seed ?? 20261129) ^ 0x5bd1e995);
  let buffer = '';
  let bytes = 0;
  const out = (text: string) => {
    buffer += text;
    if (buffer.length >= chunkSize) {
      bytes += buffer.length;
      write(buffer);
      buffer = '';
    }
  };
  let roles = 0;
  let podCount = 0;
  let saCount = 0;
  out(`{"schemaVersion":1,"generatedAt":"2026-11-29T03:00:00Z","accounts":[`);
  org.accounts.forEach((account, a) => {
    if (a > 0) out(',');
    out(`{"accountId":"${account.id}","name":"${account.name}","oidcProviders":[`);
    account.providerIssuers.forEach((issuer, i) => {
      out(
        `${i > 0 ? ',' : ''}${JSON.stringify({ arn: oidcProvider(account.id, issuer).arn, url: issuer, clientIds: [DEFAULT_AUDIENCE] })}`,
      );
    });
    out(`],"roles":[`);
    account.roles.forEach((role, r) => {
      const trust = trustOf(role, account, org);
      const text = JSON.stringify({
        arn: roleArn(account.id, role.name),
        trustPolicy: account.urlEncoded ? encodeURIComponent(JSON.stringify(trust)) : trust,
        attachedPolicyArns: role.attached ? [`arn:aws:iam::${account.id}:policy/${role.name}-access`] : [],
        inlinePolicyNames: [],
        lastUsed: r % 5 === 0 ? null : '2026-11-28T12:00:00Z',
      });
      out(r > 0 ? `,${text}` : text);
      roles++;
    });
    out(`],"clusters":[`);
    account.clusters.forEach((c, i) => {
      if (i > 0) out(',');
      const cluster = org.clusters[c];
      const associations: unknown[] = [];
      for (let s = cluster.saStart; s < cluster.saEnd; s++) {
        const sa = org.sas[s];
        if (sa.podIdentityRole) {
          associations.push({
            namespace: sa.namespace,
            serviceAccount: sa.name,
            roleArn: sa.podIdentityRole,
            associationId: `a-${hex(random, 17, false)}`,
          });
        }
      }
      out(
        `{"name":"${cluster.name}","region":"${cluster.region}","arn":"arn:aws:eks:${cluster.region}:${account.id}:cluster/${cluster.name}","oidcIssuer":"https://${cluster.issuer}","podIdentityAssociations":${JSON.stringify(associations)},`,
      );
      if (!cluster.reachable) {
        out(
          `"kubernetes":{"status":"unreachable","reason":"dial tcp 10.0.0.1:443: i/o timeout (private endpoint)"},"serviceAccounts":[],"pods":[]}`,
        );
        return;
      }
      out(`"kubernetes":{"status":"ok"},"serviceAccounts":[`);
      for (let s = cluster.saStart; s < cluster.saEnd; s++) {
        const sa = org.sas[s];
        const annotations: Record<string, string> = {};
        if (sa.annotation === 'key-typo') annotations['eks.amazon.com/role-arn'] = sa.roleArn!;
        else if (sa.roleArn) annotations['eks.amazonaws.com/role-arn'] = sa.roleArn;
        if (sa.audience) annotations['eks.amazonaws.com/audience'] = sa.audience;
        if (sa.roleArn && s % 3 === 0) annotations['eks.amazonaws.com/sts-regional-endpoints'] = 'true';
        annotations['meta.helm.sh/release-name'] = sa.namespace;
        out(
          `${s > cluster.saStart ? ',' : ''}${JSON.stringify({ namespace: sa.namespace, name: sa.name, annotations })}`,
        );
        saCount++;
      }
      out(`],"pods":[`);
      let first = true;
      for (let s = cluster.saStart; s < cluster.saEnd; s++) {
        const sa = org.sas[s];
        if (sa.pods === 0) continue;
        const replicaSet = `${sa.name === 'default' ? 'web' : sa.name}-${hex(random, 9, false)}`;
        for (let p = 0; p < sa.pods; p++) {
          out(first ? podText(sa, replicaSet, p, random) : `,${podText(sa, replicaSet, p, random)}`);
          first = false;
          podCount++;
        }
      }
      out(`]}`);
    });
    const errors = account.regionError
      ? [
          {
            scope: 'region',
            region: account.regionError,
            code: 'AccessDeniedException',
            message: 'explicit deny in a service control policy',
          },
        ]
      : [];
    out(`],"errors":${JSON.stringify(errors)}}`);
  });
  out(']}\n');
  if (buffer.length > 0) {
    bytes += buffer.length;
    write(buffer);
  }
  return {
    accounts: org.accounts.length,
    clusters: org.clusters.length,
    roles,
    serviceAccounts: saCount,
    pods: podCount,
    bytes,
  };
}

function podText(sa: SaPlan, replicaSet: string, index: number, random: () => number): string {
  const env: EnvVar[] = [];
  const appVars = 2 + (index % 4);
  for (let i = 0; i < appVars; i++) env.push({ name: APP_ENV[i], value: i === 1 ? '8080' : `value-${i}` });
  if (sa.env === 'injected' || sa.env === 'stale' || sa.env === 'orphan') {
    const arn =
      sa.env === 'stale' || sa.env === 'orphan'
        ? 'arn:aws:iam::210000000000:role/previous-role'
        : (sa.roleArn ?? '').replace(/^"|"$/g, '');
    env.push(...irsaEnvironment(arn));
  }
  const containers: unknown[] = [{ name: 'app', env }];
  if (index % 3 === 0) containers.push({ name: 'log-router', env: env.slice(appVars) });
  return JSON.stringify({
    namespace: sa.namespace,
    name: `${replicaSet}-${hex(random, 5, false)}`,
    serviceAccountName: sa.name,
    phase: index % 50 === 49 ? 'Succeeded' : 'Running',
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00Z' },
    labels: { app: sa.name, 'pod-template-hash': replicaSet.slice(-9) },
    owner: { kind: 'ReplicaSet', name: replicaSet },
    startTime: '2026-11-20T10:00:05Z',
    containers,
  });
}

/** The whole document as one string (tests and small sizes). */
export function generateOrgText(options: OrgOptions): string {
  const parts: string[] = [];
  generateOrg(options, (chunk) => parts.push(chunk));
  return parts.join('');
}

/** Streams the document to a file without holding it in memory. */
export function writeOrgFile(path: string, options: OrgOptions): OrgStats {
  const fd = openSync(path, 'w');
  try {
    return generateOrg(options, (chunk) => {
      writeSync(fd, chunk);
    });
  } finally {
    closeSync(fd);
  }
}

// `tsx bench/generate-org.ts ROLES SAS PODS [OUT]` writes one file (or prints the stats). Checked by
// file name too: bundled into bench/out/engine.js, `require.main === module` holds for every module.
if (require.main === module && /generate-org\.[jt]s$/.test(process.argv[1] ?? '')) {
  const [roles = '2000', serviceAccounts = '1000', pods = '3000', out] = process.argv.slice(2);
  const options = { roles: Number(roles), serviceAccounts: Number(serviceAccounts), pods: Number(pods) };
  const stats = out ? writeOrgFile(out, options) : generateOrg(options, () => {});
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}
