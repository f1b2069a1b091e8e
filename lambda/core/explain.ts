/**
 * `explain`: the AWS troubleshooting guide for one service account, as data. Each step is
 * pass / fail / n/a / unknown with its evidence and a concrete fix, in the guide's order: OIDC
 * provider, trust (principal, action, sub, aud), service account and annotation, role existence and
 * permissions, Pod Identity, and the pods' injected environment.
 */
import { parseRoleArn, providerArnFor, roleArnProblem } from './arn';
import {
  describeSubjectMismatch,
  isLive,
  mutatedContainers,
  nearest,
  scopedStatementText,
} from './checks/helpers';
import { CHECKS } from './checks/index';
import { isRoleArnKeyTypo } from './checks/sa.annotation-key-typo';
import { explainDenial } from './checks/sa.role-untrusted';
import { buildContext, type ClusterView, nsKey } from './context';
import { runChecks } from './engine';
import type { Finding } from './findings';
import type { Inventory } from './model';
import { ANNOTATION_AUDIENCE, ANNOTATION_ROLE_ARN, DEFAULT_AUDIENCE, POD_IDENTITY_SERVICE } from './model';
import { evaluateWebIdentity } from './policy/evaluate';
import { statementCoversAction } from './policy/normalize';
import { subjectOf } from './policy/trust';

export type StepStatus = 'pass' | 'fail' | 'n/a' | 'unknown';

export interface ExplainStep {
  id: string;
  title: string;
  status: StepStatus;
  evidence: string[];
  fix?: string;
}

export interface ExplainTarget {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  /** Disambiguates clusters with the same name in several accounts or regions. */
  accountId?: string;
  region?: string;
}

export interface ExplainReport {
  target: ExplainTarget & { accountId: string; region: string };
  verdict: 'works' | 'broken' | 'unknown';
  steps: ExplainStep[];
  /** Findings of the full audit that concern this service account, its role or its pods. */
  relatedFindings: Finding[];
}

export class ExplainTargetError extends Error {
  readonly code = 'EXPLAIN_TARGET_NOT_FOUND';
}

function findCluster(inventory: Inventory, target: ExplainTarget, clusters: ClusterView[]): ClusterView {
  const matches = clusters.filter(
    (view) =>
      view.cluster.name === target.cluster &&
      (!target.accountId || view.account.accountId === target.accountId) &&
      (!target.region || view.cluster.region === target.region),
  );
  if (matches.length === 1) return matches[0];
  const known = inventory.accounts.flatMap((account) =>
    account.clusters.map((cluster) => `${cluster.name} (${account.accountId}, ${cluster.region})`),
  );
  if (matches.length === 0) {
    throw new ExplainTargetError(
      `cluster "${target.cluster}" is not in the inventory; clusters: ${known.join(', ') || 'none'}`,
    );
  }
  throw new ExplainTargetError(
    `cluster "${target.cluster}" exists in several accounts/regions (${matches.map((m) => `${m.account.accountId}/${m.cluster.region}`).join(', ')}); pass --account or --region`,
  );
}

export function explainServiceAccount(inventory: Inventory, target: ExplainTarget): ExplainReport {
  const ctx = buildContext(inventory.accounts);
  const cluster = findCluster(inventory, target, ctx.clusters);
  const steps: ExplainStep[] = [];
  const add = (step: ExplainStep) => steps.push(step);
  const subject = subjectOf(target.namespace, target.serviceAccount);
  const issuer = cluster.issuer;
  const sa = cluster.serviceAccounts.get(nsKey(target.namespace, target.serviceAccount));
  const association = cluster.associations.get(nsKey(target.namespace, target.serviceAccount));
  const roleArn = sa?.roleArn;
  const roleParts = roleArn ? parseRoleArn(roleArn) : undefined;
  const roleAccount = roleParts?.accountId ?? cluster.account.accountId;
  const audience = sa?.serviceAccount.annotations[ANNOTATION_AUDIENCE] || DEFAULT_AUDIENCE;

  // Guide step 1: the OIDC provider, in the account of the role (where STS looks it up).
  if (!issuer) {
    add({
      id: 'oidc-provider',
      title: 'Cluster OIDC issuer and IAM OIDC provider',
      status: 'fail',
      evidence: ['the cluster has no OIDC issuer in DescribeCluster'],
    });
  } else if (!ctx.accountCollected(roleAccount)) {
    add({
      id: 'oidc-provider',
      title: 'IAM OIDC provider for the cluster issuer',
      status: 'unknown',
      evidence: [`issuer https://${issuer}`, `account ${roleAccount} was not audited`],
    });
  } else {
    const provider = ctx.providersByAccount.get(roleAccount)?.get(issuer);
    add(
      provider
        ? {
            id: 'oidc-provider',
            title: 'IAM OIDC provider for the cluster issuer',
            status: provider.clientIds.includes(audience) ? 'pass' : 'fail',
            evidence: [
              `issuer https://${issuer}`,
              `provider ${provider.arn}`,
              `client ids ${JSON.stringify(provider.clientIds)} (token audience "${audience}")`,
            ],
            fix: provider.clientIds.includes(audience)
              ? undefined
              : `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${audience}`,
          }
        : {
            id: 'oidc-provider',
            title: 'IAM OIDC provider for the cluster issuer',
            status: 'fail',
            evidence: [`issuer https://${issuer}`, `account ${roleAccount} has no provider with this URL`],
            fix: `aws iam create-open-id-connect-provider --url https://${issuer} --client-id-list ${audience}  # in account ${roleAccount}`,
          },
    );
  }

  // Guide step 3: the service account and its annotation.
  if (!cluster.readable) {
    const status = cluster.cluster.kubernetes;
    add({
      id: 'service-account',
      title: 'Service account exists',
      status: 'unknown',
      evidence: [
        `Kubernetes API not read: ${status.status === 'ok' ? '' : (status.reason ?? status.status)}`,
      ],
    });
  } else if (!sa) {
    const near = nearest(
      subject,
      [...cluster.serviceAccounts.values()].map((s) => s.subject),
      Math.max(4, subject.length / 4),
    );
    add({
      id: 'service-account',
      title: 'Service account exists',
      status: 'fail',
      evidence: [
        `no service account ${target.namespace}/${target.serviceAccount} in cluster ${cluster.cluster.name}`,
        ...(near ? [`nearest: ${near}`] : []),
      ],
      fix: `kubectl create serviceaccount -n ${target.namespace} ${target.serviceAccount}`,
    });
  } else {
    add({
      id: 'service-account',
      title: 'Service account exists',
      status: 'pass',
      evidence: [`${target.namespace}/${target.serviceAccount}`],
    });
    const typo = Object.keys(sa.serviceAccount.annotations).find(isRoleArnKeyTypo);
    if (roleArn === undefined) {
      add({
        id: 'annotation',
        title: `Annotation ${ANNOTATION_ROLE_ARN}`,
        status: association ? 'n/a' : 'fail',
        evidence: typo
          ? [`annotation key "${typo}" is a typo; the webhook ignores it`]
          : ['no role-arn annotation'],
        fix: association
          ? undefined
          : `kubectl annotate serviceaccount -n ${target.namespace} ${target.serviceAccount} ${ANNOTATION_ROLE_ARN}=arn:aws:iam::<account>:role/<name>`,
      });
    } else {
      const problem = roleArnProblem(roleArn);
      add({
        id: 'annotation',
        title: `Annotation ${ANNOTATION_ROLE_ARN}`,
        status: problem ? 'fail' : 'pass',
        evidence: [`${ANNOTATION_ROLE_ARN}=${JSON.stringify(roleArn)}`, ...(problem ? [problem] : [])],
        fix: problem
          ? `kubectl annotate serviceaccount -n ${target.namespace} ${target.serviceAccount} ${ANNOTATION_ROLE_ARN}=arn:aws:iam::<account>:role/<name> --overwrite`
          : undefined,
      });
    }
  }

  // Guide step 2: the role and its trust policy.
  const role = roleArn ? ctx.rolesByArn.get(roleArn) : undefined;
  if (roleArn && roleParts) {
    if (!ctx.accountCollected(roleParts.accountId)) {
      add({
        id: 'role',
        title: 'Role exists',
        status: 'unknown',
        evidence: [`account ${roleParts.accountId} was not audited`],
      });
    } else if (!role) {
      const near = nearest(roleArn, ctx.accounts.get(roleParts.accountId)?.roles.map((r) => r.arn) ?? [], 8);
      add({
        id: 'role',
        title: 'Role exists',
        status: 'fail',
        evidence: [`${roleArn} does not exist`, ...(near ? [`nearest: ${near}`] : [])],
      });
    } else {
      add({ id: 'role', title: 'Role exists', status: 'pass', evidence: [roleArn] });
    }
  }
  if (role && issuer) {
    const token = { issuer, sub: subject, aud: audience };
    const providerArn = providerArnFor(role.partition, role.accountId, issuer);
    const statement = role.trust.policy.statements.find((s) => s.principals?.federated.includes(providerArn));
    add({
      id: 'trust-principal',
      title: 'Trust names the provider (Principal.Federated)',
      status: statement ? 'pass' : 'fail',
      evidence: statement
        ? [`statement ${statement.index}: ${providerArn}`]
        : [
            `no statement names ${providerArn}`,
            `trusted: ${[...new Set(role.trust.grants.map((g) => g.providerArn))].join(', ') || 'no EKS provider'}`,
          ],
      fix: statement ? undefined : scopedStatementText(providerArn, issuer, [subject], audience),
    });
    if (statement) {
      const covers =
        statement.actions.length > 0 && statementCoversAction(statement, 'sts:AssumeRoleWithWebIdentity');
      add({
        id: 'trust-action',
        title: 'Trust allows sts:AssumeRoleWithWebIdentity',
        status: covers && !statement.notAction ? 'pass' : statement.notAction ? 'unknown' : 'fail',
        evidence: [`${statement.notAction ? 'NotAction' : 'Action'}: ${JSON.stringify(statement.actions)}`],
        fix: covers ? undefined : 'Set "Action": "sts:AssumeRoleWithWebIdentity"',
      });
      const grants = role.trust.grants.filter((g) => g.statement === statement.index && g.issuer === issuer);
      const allowed = grants.flatMap((g) => [
        ...g.subjects.exact,
        ...g.subjects.namespaces.map((n) => n.pattern),
        ...g.subjects.broad,
      ]);
      const decision = evaluateWebIdentity(role.trust.policy, role, token);
      const subFailed = decision.outcomes.some(
        (o) => o.index === statement.index && o.clause?.keyLower === `${issuer.toLowerCase()}:sub`,
      );
      const audFailed = decision.outcomes.some(
        (o) => o.index === statement.index && o.clause?.keyLower === `${issuer.toLowerCase()}:aud`,
      );
      const unrestricted = grants.some((g) => g.subjects.kind === 'unrestricted');
      add({
        id: 'trust-sub',
        title: `Trust condition on sub admits ${subject}`,
        status: subFailed ? 'fail' : 'pass',
        evidence: subFailed
          ? [describeSubjectMismatch(allowed, subject)]
          : [
              unrestricted
                ? 'no sub restriction: ANY service account of the cluster can assume this role (trust.sub-unrestricted)'
                : `admitted (${allowed.slice(0, 5).join(', ')})`,
            ],
        fix: subFailed ? scopedStatementText(providerArn, issuer, [subject], audience) : undefined,
      });
      add({
        id: 'trust-aud',
        title: `Trust condition on aud admits "${audience}"`,
        status: audFailed ? 'fail' : 'pass',
        evidence: grants.some((g) => g.audClauses.length)
          ? grants.flatMap((g) =>
              g.audClauses.map(
                (c) => `${c.operatorRaw} ${c.key} ${JSON.stringify(c.values.map((v) => v.raw))}`,
              ),
            )
          : ['no aud condition'],
        fix: audFailed ? `Set "${issuer}:aud": "${audience}"` : undefined,
      });
      add({
        id: 'trust-verdict',
        title: 'Trust policy verdict for this token',
        status: decision.verdict === 'allow' ? 'pass' : decision.verdict === 'deny' ? 'fail' : 'unknown',
        evidence: [decision.verdict === 'deny' ? explainDenial(decision, role, token, ctx) : decision.reason],
      });
    }
    const { attachedPolicyArns, inlinePolicyNames } = role.role;
    if (!attachedPolicyArns || !inlinePolicyNames) {
      add({
        id: 'permissions',
        title: 'Role has permissions',
        status: 'unknown',
        evidence: ['the inventory does not list the role policies'],
      });
    } else {
      const count = attachedPolicyArns.length + inlinePolicyNames.length;
      add({
        id: 'permissions',
        title: 'Role has permissions',
        status: count > 0 ? 'pass' : 'fail',
        evidence:
          count > 0
            ? [...attachedPolicyArns, ...inlinePolicyNames.map((n) => `inline: ${n}`)]
            : ['no attached or inline policy'],
        fix:
          count > 0
            ? undefined
            : `aws iam attach-role-policy --role-name ${roleArn?.split('/').pop()} --policy-arn <policy arn>`,
      });
    }
  }

  // Pod Identity (not in the IRSA guide, but it changes what new pods get).
  if (association) {
    const piRole = association.roleArn ? ctx.rolesByArn.get(association.roleArn) : undefined;
    const trusted =
      piRole &&
      ['sts:AssumeRole', 'sts:TagSession'].every((action) =>
        piRole.trust.policy.statements.some(
          (s) =>
            s.effect === 'Allow' &&
            s.principals?.service.includes(POD_IDENTITY_SERVICE) &&
            statementCoversAction(s, action),
        ),
      );
    add({
      id: 'pod-identity',
      title: 'Pod Identity association',
      status: piRole ? (trusted ? 'pass' : 'fail') : 'unknown',
      evidence: [
        `association ${association.associationId ?? ''} → ${association.roleArn ?? 'role not described'}`,
        ...(roleArn
          ? ['the SA is also annotated for IRSA: new pods get Pod Identity, older pods keep IRSA']
          : []),
        ...(piRole && !trusted
          ? [
              `${piRole.role.arn} does not trust ${POD_IDENTITY_SERVICE} with sts:AssumeRole and sts:TagSession`,
            ]
          : []),
      ],
    });
  } else {
    add({
      id: 'pod-identity',
      title: 'Pod Identity association',
      status: 'n/a',
      evidence: ['none for this service account'],
    });
  }

  // Guide step 4: the pods' injected environment.
  if (cluster.readable) {
    const pods = cluster.cluster.pods.filter(
      (pod) =>
        pod.namespace === target.namespace && pod.serviceAccountName === target.serviceAccount && isLive(pod),
    );
    if (pods.length === 0) {
      add({
        id: 'pods',
        title: 'Running pods have the IRSA environment',
        status: 'n/a',
        evidence: ['no running pod uses this service account'],
      });
    } else {
      const evidence: string[] = [];
      let failing = 0;
      for (const pod of pods) {
        const problems: string[] = [];
        for (const container of mutatedContainers(pod)) {
          const env = new Map(container.env.map((e) => [e.name, e.value]));
          if (association && env.has('AWS_CONTAINER_CREDENTIALS_FULL_URI')) continue;
          if (!env.has('AWS_ROLE_ARN') || !env.has('AWS_WEB_IDENTITY_TOKEN_FILE')) {
            if (roleArn)
              problems.push(`${container.name}: no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE (node role)`);
          } else if (env.get('AWS_ROLE_ARN') !== roleArn) {
            problems.push(
              `${container.name}: AWS_ROLE_ARN=${env.get('AWS_ROLE_ARN')} (${roleArn ? 'annotation changed: restart' : 'SA no longer annotated'})`,
            );
          }
        }
        if (problems.length) failing++;
        evidence.push(`${pod.name}: ${problems.length ? problems.join('; ') : 'ok'}`);
      }
      add({
        id: 'pods',
        title: 'Running pods have the IRSA environment',
        status: failing ? 'fail' : 'pass',
        evidence: evidence.slice(0, 10),
        fix: failing
          ? `kubectl rollout restart -n ${target.namespace} deployment/<name>  # the webhook injects at pod creation only`
          : undefined,
      });
    }
  }

  const scan = runChecks(inventory, CHECKS);
  const relatedFindings = scan.findings.filter(
    (f) =>
      (f.resource.cluster === cluster.cluster.name &&
        f.resource.namespace === target.namespace &&
        f.resource.serviceAccount === target.serviceAccount) ||
      (roleArn !== undefined && f.resource.roleArn === roleArn && f.resource.serviceAccount === undefined),
  );
  const verdict = steps.some((s) => s.status === 'fail')
    ? 'broken'
    : steps.some((s) => s.status === 'unknown')
      ? 'unknown'
      : 'works';
  return {
    target: { ...target, accountId: cluster.account.accountId, region: cluster.cluster.region },
    verdict,
    steps,
    relatedFindings,
  };
}
