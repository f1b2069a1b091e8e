import { renderAccessCommands } from '../../lambda/cli/commands/access';
import { grantAdvice } from '../../lambda/collect/unreachable';
import { accessEntryCommands, refusedPrincipal, shellQuote } from '../../lambda/core/access-entry';
import { check } from '../../lambda/core/checks/scan.cluster-unreachable';
import { buildContext } from '../../lambda/core/context';
import type { Account } from '../../lambda/core/model';

const PRINCIPAL = 'arn:aws:iam::111122223333:role/irsa-auditor-member';

describe('access-entry commands: one builder', () => {
  const expected = accessEntryCommands({
    clusterName: 'prod',
    region: 'eu-west-1',
    principalArn: PRINCIPAL,
    partition: 'aws',
  });

  it('builds create-access-entry and associate-access-policy, each complete on one line', () => {
    expect(expected).toEqual([
      `aws eks create-access-entry --cluster-name prod --region eu-west-1 --principal-arn ${PRINCIPAL} --type STANDARD`,
      `aws eks associate-access-policy --cluster-name prod --region eu-west-1 --principal-arn ${PRINCIPAL} --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=cluster`,
    ]);
  });

  it('the collector reason, the access command and the finding fix show the same commands', () => {
    const advice = grantAdvice(
      { accountId: '111122223333', region: 'eu-west-1', name: 'prod', endpoint: 'https://x', caData: '' },
      PRINCIPAL,
    );
    expect(advice).toContain(expected.join(' && '));

    const printed = renderAccessCommands(
      [{ accountId: '111122223333', region: 'eu-west-1', name: 'prod', reason: 'forbidden' }],
      'irsa-auditor-member',
    );
    for (const line of expected) expect(printed.split('\n')).toContain(line);

    // The finding's commands name the role the collected reason names (here the collector's own text).
    const [finding] = check.run(unreachableAccount(`403 Forbidden. ${advice}`), buildContext([]));
    expect(finding.commands).toEqual(expected);
  });

  it('takes the principal from the collected data, never a guessed or placeholder role', () => {
    const reason = `401 Unauthorized from the Kubernetes API: no EKS access entry for ${PRINCIPAL} (authentication mode API)`;
    expect(refusedPrincipal(reason, '111122223333')).toBe(PRINCIPAL);
    // A role of the cluster's account is preferred over another account's role named first.
    expect(refusedPrincipal(`arn:aws:iam::999999999999:role/x denied; ${PRINCIPAL}.`, '111122223333')).toBe(
      PRINCIPAL,
    );
    expect(refusedPrincipal('timeout', '111122223333')).toBeUndefined();

    const [named] = check.run(unreachableAccount(reason), buildContext([]));
    expect(named.commands).toEqual(expected);
    expect(named.remediation).toContain(PRINCIPAL);

    // Nothing names the role: prose only, no command with a placeholder principal.
    const [unnamed] = check.run(unreachableAccount('forbidden'), buildContext([]));
    expect(unnamed.commands).toBeUndefined();
    expect(`${unnamed.remediation}`).not.toMatch(/<irsa-auditor member role>|IrsaAuditorMemberRole/);
    expect(unnamed.remediation).toContain('irsa-audit access --member-role-name');
  });

  it('irsa-audit access grants the role the failure names unless --member-role-name overrides it', () => {
    const cluster = {
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod',
      reason: 'forbidden',
      principalArn: PRINCIPAL,
    };
    const printed = renderAccessCommands([cluster], 'IrsaAuditorMemberRole');
    for (const line of expected) expect(printed.split('\n')).toContain(line);
    expect(printed).not.toContain('role/IrsaAuditorMemberRole');
    const overridden = renderAccessCommands([cluster], 'audit/Other', 'aws', true);
    expect(overridden).toContain('--principal-arn arn:aws:iam::111122223333:role/audit/Other');
  });

  it('quotes values a shell would split or expand', () => {
    expect(shellQuote('prod-1')).toBe('prod-1');
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    const [create] = accessEntryCommands({
      clusterName: 'x;rm -rf ~',
      region: 'us-east-1',
      principalArn: PRINCIPAL,
      partition: 'aws',
    });
    expect(create).toContain(`--cluster-name 'x;rm -rf ~'`);
  });

  it('names the authentication-mode switch with the flags update-cluster-config takes', () => {
    const advice = grantAdvice(
      {
        accountId: '111122223333',
        region: 'eu-west-1',
        name: 'prod',
        endpoint: 'https://x',
        caData: '',
        authenticationMode: 'CONFIG_MAP',
      },
      PRINCIPAL,
    );
    expect(advice).toContain('aws eks update-cluster-config --name prod --region eu-west-1');
  });
});

function unreachableAccount(reason: string): Account {
  return {
    accountId: '111122223333',
    oidcProviders: [],
    roles: [],
    errors: [],
    clusters: [
      {
        name: 'prod',
        region: 'eu-west-1',
        podIdentityAssociations: [],
        kubernetes: { status: 'unreachable', reason },
        serviceAccounts: [],
        pods: [],
      },
    ],
  };
}
