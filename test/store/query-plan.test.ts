import { planFindingsQuery } from '../../lambda/store/query-plan';

describe('planFindingsQuery', () => {
  it.each([
    [{}, 'gsi1', ['OPEN#critical', 'OPEN#high', 'OPEN#medium', 'OPEN#low', 'OPEN#info'], [undefined]],
    [{ status: 'resolved', severity: 'high' }, 'gsi1', ['RESOLVED#high'], [undefined]],
    [{ accountId: '111122223333' }, 'gsi2', ['ACCOUNT#111122223333#open'], [undefined]],
    [{ accountId: '111122223333', severity: 'low' }, 'gsi2', ['ACCOUNT#111122223333#open'], ['3#']],
    [
      { accountId: '111122223333', checkId: 'trust.aud-missing', severity: 'low' },
      'gsi2',
      ['ACCOUNT#111122223333#open'],
      ['3#trust.aud-missing#'],
    ],
    [
      { checkId: 'sa.role-untrusted', severity: 'critical' },
      'gsi5',
      ['CHECK#sa.role-untrusted#open'],
      ['0#'],
    ],
    [{ cluster: 'prod', accountId: '111122223333' }, 'gsi3', ['CLUSTER#prod#open'], ['111122223333#']],
    [
      { cluster: 'arn:aws:eks:us-west-2:111122223333:cluster/prod', severity: 'high', checkId: 'x' },
      'gsi3',
      ['CLUSTER#prod#open'],
      ['111122223333#us-west-2#1#x#'],
    ],
    // Role wins over every other filter: it is the most selective.
    [
      { role: 'arn:aws:iam::111122223333:role/path/Web', cluster: 'prod', severity: 'high' },
      'gsi4',
      ['ROLE#web#open'],
      ['111122223333#1#'],
    ],
    [{ role: 'Web' }, 'gsi4', ['ROLE#web#open'], [undefined]],
  ] as const)('%j → %s', (filter, index, pks, prefixes) => {
    const plan = planFindingsQuery(filter);
    expect(plan.indexName).toBe(index);
    expect(plan.steps.map((step) => step.pk)).toEqual(pks);
    expect([...new Set(plan.steps.map((step) => step.skPrefix))]).toEqual(prefixes);
  });

  it('fans out over severities when an account and a check are given without one', () => {
    const plan = planFindingsQuery({ accountId: '111122223333', checkId: 'trust.aud-missing' });
    expect(plan.steps.map((step) => step.skPrefix)).toEqual([
      '0#trust.aud-missing#',
      '1#trust.aud-missing#',
      '2#trust.aud-missing#',
      '3#trust.aud-missing#',
      '4#trust.aud-missing#',
    ]);
  });
});
