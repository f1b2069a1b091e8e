/**
 * `explain`: one service account through the AWS troubleshooting guide, built from the engine. The
 * checks run on that service account's neighbourhood only (its cluster, roles, providers, association); their
 * findings are grouped by the guide step each check declares, and the steps without findings show
 * the data the checks looked at. The verdict names the credentials the pods actually get (IRSA, Pod
 * Identity, both, neither) and whether that works. Nothing here decides what a check decides.
 */
import { accountOfArn, roleArnProblem } from '../arn';
import { CHECKS, checkById } from '../checks/index';
import { annotatedRoleDecision } from '../checks/sa.role-untrusted';
import { GUIDE_STEPS, type GuideStep } from '../checks/types';
import { buildContext, nsKey } from '../context';
import { accountPartGap, type CoverageGap, partLabel } from '../coverage';
import { type EngineWork, emptyWork, runChecks } from '../engine';
import type { Finding } from '../findings';
import type { Inventory, Part } from '../model';
import { ANNOTATION_ROLE_ARN } from '../model';
import { type Credentials, MECHANISM_NAMES, type MechanismReport, podMechanism } from './mechanism';
import { neighbourhoodFilter, neighbourhoodOf } from './neighbourhood';
import { type ExplainOptions, type ExplainTarget, resolveTarget } from './target';
import { type Verdict, verdictOf } from './verdict';

export type { Credentials, Mechanism, MechanismReport, RunningPod } from './mechanism';
export { MECHANISM_NAMES, podCredentials } from './mechanism';
export { inNeighbourhood, type Neighbourhood, neighbourhoodFilter, neighbourhoodOf } from './neighbourhood';
export {
  type ExplainOptions,
  type ExplainTarget,
  ExplainTargetError,
  type ResolvedTarget,
  resolveTarget,
} from './target';
export type { Verdict } from './verdict';

/**
 * `fail`: a finding stops the credentials the pods get; `warn`: findings that do not (hardening, or
 * a mechanism the pods do not use), or data that looks wrong without a finding; `unknown`: not read.
 */
export type StepStatus = 'pass' | 'fail' | 'warn' | 'n/a' | 'unknown';

export interface ExplainStep {
  id: GuideStep;
  title: string;
  status: StepStatus;
  /** What the checks looked at for this step. */
  evidence: string[];
  /** The checks' findings for this step, in the scan's order. */
  findings: Finding[];
}

export interface ExplainReport {
  target: Required<Omit<ExplainTarget, 'accountId' | 'region'>> & { accountId: string; region: string };
  /** Why the cluster's Kubernetes API was not read; absent when it was. */
  kubernetesNotRead?: string;
  /** The parts of this service account's neighbourhood the run did not read (their steps show `?`). */
  notRead: { part: Part; accountId: string; reason: string }[];
  mechanism: MechanismReport;
  verdict: Verdict;
  /** One line: the mechanism and whether it works. */
  summary: string;
  steps: ExplainStep[];
  /** What was evaluated: the roles and providers of the neighbourhood, and the engine's work. */
  scope: { roles: string[]; providers: string[]; work: EngineWork };
}

const STEP_ORDER = Object.keys(GUIDE_STEPS) as GuideStep[];

interface Evidence {
  status: 'pass' | 'n/a' | 'unknown' | 'doubtful';
  lines: string[];
}

export function explainServiceAccount(
  inventory: Inventory,
  target: ExplainTarget,
  options: ExplainOptions = {},
): ExplainReport {
  const resolved = resolveTarget(inventory, target, options);
  const area = neighbourhoodOf(resolved);
  const filter = neighbourhoodFilter(area);
  const ctx = buildContext(inventory.accounts, {
    role: filter.role,
    scope: inventory.scope,
    regionFilter: inventory.regionFilter,
  });
  const work = emptyWork();
  const scan = runChecks(inventory, CHECKS, { filter, work, context: ctx });

  const { account, cluster, namespace, serviceAccount } = resolved;
  const clusterView = ctx.clusters.find((view) => view.cluster === cluster)!;
  const saView = clusterView.serviceAccounts.get(nsKey(namespace, serviceAccount));
  const mechanism = podMechanism(area);
  const { verdict, summary, stops, undecided } = verdictOf(area, mechanism, scan);
  const readable = clusterView.readable;
  const saNotRead = 'the service account and its pods were not read';
  const issuer = clusterView.issuer;
  const annotated = area.annotatedRole;
  const association = area.association;

  // Every unread part the steps ran into, once each: the report lists them, their steps show `?`.
  const notRead = new Map<string, CoverageGap>();
  const gapOf = (accountId: string, part: Part): CoverageGap | undefined => {
    const gap = accountPartGap(ctx.coverage, accountId, part);
    if (gap) notRead.set(`${gap.accountId}\u0000${gap.part}`, gap);
    return gap;
  };
  const unread = (gap: CoverageGap): string =>
    `${partLabel(gap.part)} of account ${gap.accountId} not read: ${gap.reason}`;
  const accountState = (arn: string): string | undefined => {
    const id = accountOfArn(arn);
    const gap = id ? gapOf(id, 'iam-roles') : undefined;
    return gap ? unread(gap) : undefined;
  };
  for (const gap of clusterView.gaps.values()) notRead.set(`${gap.accountId}\u0000${gap.part}`, gap);

  const evidence: Record<GuideStep, () => Evidence> = {
    'oidc-provider': () => {
      if (!readable && !annotated) return { status: 'unknown', lines: [saNotRead] };
      if (!annotated) return { status: 'n/a', lines: [`no ${ANNOTATION_ROLE_ARN} annotation`] };
      if (!issuer) return { status: 'doubtful', lines: ['the cluster has no OIDC issuer'] };
      const roleAccount = accountOfArn(annotated) ?? account.accountId;
      const lines = [`issuer https://${issuer}`];
      const providersGap = gapOf(roleAccount, 'oidc-providers');
      if (providersGap) return { status: 'unknown', lines: [...lines, unread(providersGap)] };
      const provider = ctx.providersByAccount.get(roleAccount)?.get(issuer);
      if (!provider) {
        return {
          status: 'doubtful',
          lines: [...lines, `account ${roleAccount} (the role's) has no IAM OIDC provider for it`],
        };
      }
      return {
        status: 'pass',
        lines: [...lines, `provider ${provider.arn}`, `client ids ${JSON.stringify(provider.clientIds)}`],
      };
    },
    'trust-policy': () => {
      if (!readable && !annotated) return { status: 'unknown', lines: [saNotRead] };
      if (!annotated) return { status: 'n/a', lines: ['no IRSA role'] };
      const unaudited = accountState(annotated);
      if (unaudited) return { status: 'unknown', lines: [unaudited] };
      const evaluated = saView ? annotatedRoleDecision(saView, ctx) : undefined;
      if (!evaluated) {
        return {
          status: 'n/a',
          lines: [
            roleArnProblem(annotated)
              ? 'the annotation is not a role ARN'
              : ctx.rolesByArn.has(annotated)
                ? 'the cluster has no OIDC issuer'
                : `${annotated} does not exist`,
          ],
        };
      }
      const { decision, token } = evaluated;
      const subject = `${token.sub} (aud "${token.aud}")`;
      if (decision.verdict === 'deny') return { status: 'doubtful', lines: [`${subject}: denied`] };
      return {
        status: decision.verdict === 'allow' ? 'pass' : 'unknown',
        lines: [`${subject}: ${decision.reason}`],
      };
    },
    'role-permissions': () => {
      const lines: string[] = [];
      let status: Evidence['status'] = 'pass';
      for (const arn of area.ownRoles) {
        const role = ctx.rolesByArn.get(arn);
        const unaudited = accountState(arn);
        if (!role && unaudited) {
          lines.push(`${arn}: ${unaudited}`);
          status = 'unknown';
        }
        if (!role) continue;
        const { attachedPolicyArns, inlinePolicyNames } = role.role;
        if (!attachedPolicyArns || !inlinePolicyNames) {
          lines.push(`${arn}: the inventory does not list its policies`);
          status = 'unknown';
          continue;
        }
        const policies = [...attachedPolicyArns, ...inlinePolicyNames.map((name) => `inline ${name}`)];
        if (policies.length === 0 && status === 'pass') status = 'doubtful';
        lines.push(`${arn}: ${policies.length ? policies.join(', ') : 'no attached or inline policy'}`);
      }
      return lines.length
        ? { status, lines }
        : { status: 'n/a', lines: ['no role of this service account exists in the audit'] };
    },
    'service-account': () => {
      if (!readable) return { status: 'unknown', lines: [saNotRead] };
      const annotation = saView?.serviceAccount.annotations[ANNOTATION_ROLE_ARN];
      return {
        status: 'pass',
        lines: [
          `${namespace}/${serviceAccount} exists`,
          annotation === undefined
            ? `no ${ANNOTATION_ROLE_ARN} annotation`
            : `${ANNOTATION_ROLE_ARN}=${JSON.stringify(annotation)}`,
        ],
      };
    },
    'test-pod': () => {
      const pods = mechanism.runningPods;
      if (!pods) return { status: 'unknown', lines: [saNotRead] };
      if (pods.length === 0) return { status: 'n/a', lines: ['no running pod uses this service account'] };
      const expected = mechanism.newPods;
      const lines = pods.slice(0, 10).map((pod) => `${pod.name}: ${CREDENTIALS_TEXT[pod.credentials]}`);
      if (pods.length > 10) lines.push(`and ${pods.length - 10} more`);
      // Without IRSA or Pod Identity there is nothing for a test pod to verify.
      if (expected === 'none' && pods.every((pod) => pod.credentials === 'none'))
        return { status: 'n/a', lines };
      const mismatched = pods.filter((pod) => pod.credentials !== expected);
      if (mismatched.length > 0) {
        lines.push(
          `${mismatched.length} pod(s) differ from what a new pod gets (${expected === 'none' ? 'neither' : MECHANISM_NAMES[expected as Credentials]}): the webhook injects at creation only, re-create them`,
        );
      }
      return { status: mismatched.length ? 'doubtful' : 'pass', lines };
    },
    'pod-identity': () => {
      const associationsGap = clusterView.gaps.get('pod-identity');
      if (associationsGap) {
        return {
          status: 'unknown',
          lines: [`${partLabel('pod-identity')} not read: ${associationsGap.reason}`],
        };
      }
      if (!association) return { status: 'n/a', lines: ['no Pod Identity association'] };
      const lines = [
        `association ${association.associationId ?? '(id not listed)'} → ${association.roleArn ?? 'role not described'}`,
      ];
      if (annotated) lines.push('it takes precedence over the IRSA annotation for new pods');
      if (!association.roleArn) return { status: 'unknown', lines };
      const unaudited = accountState(association.roleArn);
      if (unaudited) return { status: 'unknown', lines: [...lines, unaudited] };
      if (ctx.rolesByArn.has(association.roleArn)) lines.push(`${association.roleArn} exists`);
      return { status: 'pass', lines };
    },
    coverage: () => ({ status: 'n/a', lines: [] }),
  };

  const skippedSteps = new Map<GuideStep, string[]>();
  for (const skipped of scan.skipped) {
    const step = checkById(skipped.checkId)?.guideStep;
    if (!step) continue;
    skippedSteps.set(step, [...(skippedSteps.get(step) ?? []), skipped.checkId]);
  }
  const findingsByStep = new Map<GuideStep, Finding[]>();
  for (const finding of scan.findings) {
    // Every check declares its guide step; one that did not would still be shown, with the SA.
    const step = checkById(finding.checkId)?.guideStep ?? 'service-account';
    findingsByStep.set(step, [...(findingsByStep.get(step) ?? []), finding]);
  }

  const steps: ExplainStep[] = [];
  for (const id of STEP_ORDER) {
    const findings = findingsByStep.get(id) ?? [];
    if (id === 'coverage' && findings.length === 0) continue;
    const seen = evidence[id]();
    const lines = seen.lines.filter(Boolean);
    const skippedChecks = skippedSteps.get(id);
    if (skippedChecks) lines.push(`checks skipped: ${[...new Set(skippedChecks)].join(', ')}`);
    let status: StepStatus;
    if (findings.some((finding) => stops.has(finding))) status = 'fail';
    else if (id === 'coverage' || skippedChecks || findings.some((finding) => undecided.has(finding)))
      status = 'unknown';
    else if (findings.length > 0 || seen.status === 'doubtful') status = 'warn';
    else status = seen.status;
    steps.push({ id, title: GUIDE_STEPS[id], status, evidence: lines, findings });
  }

  return {
    target: {
      cluster: cluster.name,
      namespace,
      serviceAccount,
      accountId: account.accountId,
      region: cluster.region,
    },
    ...(cluster.kubernetes.status === 'ok'
      ? {}
      : { kubernetesNotRead: cluster.kubernetes.reason ?? cluster.kubernetes.status }),
    notRead: [...notRead.values()].map((gap) => ({
      part: gap.part,
      accountId: gap.accountId,
      reason: gap.reason,
    })),
    mechanism,
    verdict,
    summary,
    steps,
    scope: {
      roles: ctx.roles.map((role) => role.role.arn),
      providers: [...area.providers],
      work,
    },
  };
}

const CREDENTIALS_TEXT = {
  irsa: 'IRSA (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)',
  'pod-identity': 'Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI)',
  none: 'no AWS credential variables: the node role',
} as const;
