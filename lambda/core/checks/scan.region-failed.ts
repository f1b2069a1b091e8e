/**
 * scan.region-failed — a region of an account could not be listed (EKS API denied, opt-in region,
 * throttled beyond retries). Clusters there were not seen.
 */
import type { CoverageCheck } from './types';

export const check: CoverageCheck = {
  id: 'scan.region-failed',
  runsOn: 'coverage',
  severity: 'medium',
  title: 'Region could not be listed',
  description:
    'Listing a region of an account failed, so its EKS clusters and Pod Identity associations were not evaluated. Findings in that region stay open.',
  remediation:
    'Check that the member role allows eks:ListClusters and eks:DescribeCluster in the region and that no SCP denies the region.',
  guideStep: 'coverage',
  reads: [],
  run(error, account) {
    if (error.scope !== 'region') return [];
    return [
      {
        message: `Region ${error.region ?? '(unknown)'} of account ${account.accountId} could not be listed: ${error.code}: ${error.message}`,
        resource: { accountId: account.accountId, region: error.region },
        evidence: { code: error.code, message: error.message },
        discriminator: error.region,
      },
    ];
  },
};
