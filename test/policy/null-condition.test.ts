import { normalizePolicy } from '../../lambda/core/policy/normalize';
import { analyzeTrust } from '../../lambda/core/policy/trust';

const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789';
const ACCOUNT = '111122223333';

function subjectsWith(condition: Record<string, unknown>) {
  const policy = normalizePolicy({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  });
  return analyzeTrust(policy, 'aws', ACCOUNT).grants[0].subjects;
}

describe('Null conditions on the keys every EKS token carries', () => {
  it('"sub must be absent" admits no token at all', () => {
    const subjects = subjectsWith({ Null: { [`${ISSUER}:sub`]: 'true' } });
    expect(subjects.kind).toBe('none');
    expect(subjects.why).toContain('always carry it');
  });

  it('"sub must be present" restricts nothing', () => {
    expect(subjectsWith({ Null: { [`${ISSUER}:sub`]: 'false' } }).kind).toBe('unrestricted');
  });

  it('"aud must be absent" also admits no token', () => {
    expect(subjectsWith({ Null: { [`${ISSUER}:aud`]: 'true' } }).kind).toBe('none');
  });
});
