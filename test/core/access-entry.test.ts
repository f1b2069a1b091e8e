import { renderAccessCommands } from '../../lambda/cli/commands/access';
import { grantAdvice } from '../../lambda/collect/unreachable';
import { accessEntryCommands, shellQuote } from '../../lambda/core/access-entry';
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

    const account: Account = {
      accountId: '111122223333',
      oidcProviders: [],
      roles: [],
      errors: [],
      clusters: [
        {
          name: 'prod',
          region: 'eu-west-1',
          podIdentityAssociations: [],
          kubernetes: { status: 'unreachable', reason: 'forbidden' },
          serviceAccounts: [],
          pods: [],
        },
      ],
    };
    const [finding] = check.run(account, buildContext([account]));
    const placeholder = accessEntryCommands({
      clusterName: 'prod',
      region: 'eu-west-1',
      principalArn: 'arn:aws:iam::111122223333:role/<irsa-auditor member role>',
      partition: 'aws',
    });
    for (const line of placeholder) expect(finding.remediation?.split('\n')).toContain(line);
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
