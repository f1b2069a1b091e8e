/**
 * Pod Identity trust evaluation (policy/pod-identity.ts): EKS assumes the role with sts:AssumeRole and
 * sts:TagSession and the session tags of the association (docs/irsa-semantics.md §4.2); conditions on those tags
 * are decided, Deny wins, keys the reference does not document for this request are indeterminate.
 */
import { normalizePolicy } from '../../lambda/core/policy/normalize';
import { evaluatePodIdentity, type PodIdentitySession } from '../../lambda/core/policy/pod-identity';

const SESSION: PodIdentitySession = {
  clusterName: 'prod',
  clusterArn: 'arn:aws:eks:us-west-2:111122223333:cluster/prod',
  namespace: 'batch',
  serviceAccount: 'runner',
};
const SERVICE = { Service: 'pods.eks.amazonaws.com' };
const BOTH = ['sts:AssumeRole', 'sts:TagSession'];

function verdictOf(statements: unknown[], session = SESSION) {
  return evaluatePodIdentity(normalizePolicy({ Version: '2012-10-17', Statement: statements }), session);
}

const allow = (Condition?: unknown, Action: unknown = BOTH) => ({
  Effect: 'Allow',
  Principal: SERVICE,
  Action,
  ...(Condition ? { Condition } : {}),
});

describe('Pod Identity trust', () => {
  test('the documented trust allows both actions', () => {
    expect(verdictOf([allow()]).verdict).toBe('allow');
  });

  test('the CDK two-statement form allows both actions', () => {
    expect(verdictOf([allow(undefined, 'sts:AssumeRole'), allow()]).verdict).toBe('allow');
  });

  test('a missing sts:TagSession is a deny for that action only', () => {
    const decision = verdictOf([allow(undefined, 'sts:AssumeRole')]);
    expect(decision.verdict).toBe('deny');
    expect(decision.actions.map((outcome) => outcome.verdict)).toEqual(['allow', 'deny']);
  });

  test.each([
    ['kubernetes-namespace', 'batch', 'allow'],
    ['kubernetes-namespace', 'reports', 'deny'],
    ['kubernetes-service-account', 'runner', 'allow'],
    ['kubernetes-service-account', 'exporter', 'deny'],
    ['eks-cluster-name', 'prod', 'allow'],
    ['eks-cluster-name', 'staging', 'deny'],
    ['eks-cluster-arn', 'arn:aws:eks:us-west-2:111122223333:cluster/prod', 'allow'],
    ['kubernetes-pod-name', 'runner-0', 'indeterminate'],
    ['team', 'batch', 'deny'],
  ])('StringEquals aws:RequestTag/%s %s: %s', (tag, value, verdict) => {
    expect(verdictOf([allow({ StringEquals: { [`aws:RequestTag/${tag}`]: value } })]).verdict).toBe(verdict);
  });

  test('tag key names are case-insensitive; StringLike patterns on tags are matched', () => {
    expect(verdictOf([allow({ StringLike: { 'aws:requesttag/Kubernetes-Namespace': 'ba*' } })]).verdict).toBe(
      'allow',
    );
  });

  test('without a cluster ARN a condition on eks-cluster-arn cannot be decided', () => {
    const session = { ...SESSION, clusterArn: undefined };
    const condition = { StringEquals: { 'aws:RequestTag/eks-cluster-arn': SESSION.clusterArn } };
    expect(verdictOf([allow(condition)], session).verdict).toBe('indeterminate');
  });

  test('keys not documented for the request (aws:SourceArn, aws:PrincipalTag) are indeterminate, never allow', () => {
    expect(verdictOf([allow({ StringEquals: { 'aws:SourceAccount': '111122223333' } })]).verdict).toBe(
      'indeterminate',
    );
    expect(
      verdictOf([allow({ StringEquals: { 'aws:PrincipalTag/kubernetes-namespace': 'batch' } })]).verdict,
    ).toBe('indeterminate');
  });

  test('a Deny on the session tags wins over the Allow, and says which tag decided it', () => {
    const decision = verdictOf([
      allow(),
      {
        Effect: 'Deny',
        Principal: SERVICE,
        Action: 'sts:*',
        Condition: { StringNotEquals: { 'aws:RequestTag/kubernetes-service-account': 'exporter' } },
      },
    ]);
    expect(decision.verdict).toBe('deny');
    expect(decision.actions[0].reason).toContain('statement 1 denies it');
    expect(decision.actions[0].reason).toContain('"runner"');
  });

  test('a Deny for Principal "*" also refuses the EKS service; a Deny for another namespace does not', () => {
    expect(verdictOf([allow(), { Effect: 'Deny', Principal: '*', Action: 'sts:TagSession' }]).verdict).toBe(
      'deny',
    );
    const other = {
      Effect: 'Deny',
      Principal: SERVICE,
      Action: BOTH,
      Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'sandbox' } },
    };
    expect(verdictOf([allow(), other]).verdict).toBe('allow');
  });

  test('a Deny that cannot be decided makes an allowed action indeterminate', () => {
    const deny = {
      Effect: 'Deny',
      Principal: SERVICE,
      Action: BOTH,
      Condition: { StringEquals: { 'aws:SourceArn': 'arn:aws:eks:us-west-2:111122223333:cluster/other' } },
    };
    expect(verdictOf([allow(), deny]).verdict).toBe('indeterminate');
  });
});
