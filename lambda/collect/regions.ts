import { ListRegionsCommand } from '@aws-sdk/client-account';
import { globalRegionOf } from './clients';
import { forEachPage } from './paginate';
import type { AccountSession } from './run-context';

/** The Account API caps ListRegions at 50 per page. */
const REGIONS_PAGE = 50;

/**
 * Regions enabled by default in each partition: what is scanned when an account's own list cannot be
 * read (opt-in regions are then not seen, and the coverage error says so).
 */
const DEFAULT_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'ap-south-1',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-southeast-1',
    'ap-southeast-2',
    'ca-central-1',
    'eu-central-1',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-north-1',
    'sa-east-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
};

export function defaultRegionsOf(partition: string): string[] {
  return [...(DEFAULT_REGIONS[partition] ?? [globalRegionOf(partition)])];
}

/**
 * Every region enabled for the account, opt-in regions included (`ENABLED` and `ENABLED_BY_DEFAULT`),
 * from the Account API with the account's own credentials. Sorted, so runs are comparable.
 */
export async function listEnabledRegions(session: AccountSession): Promise<string[]> {
  const account = () => session.client('account', globalRegionOf(session.run.caller.partition));
  const regions: string[] = [];
  await forEachPage(
    'account:ListRegions',
    (NextToken) =>
      session.call('account:ListRegions', () =>
        account().send(
          new ListRegionsCommand({
            RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
            MaxResults: REGIONS_PAGE,
            NextToken,
          }),
        ),
      ),
    (page) => page.NextToken,
    (page) => {
      for (const region of page.Regions ?? []) if (region.RegionName) regions.push(region.RegionName);
    },
  );
  return [...new Set(regions)].sort();
}
