import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import {
  GetAccountAuthorizationDetailsCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { SimulatedAws } from '../../bench/collect-sim';
import type { ServiceName } from '../../lambda/collect/clients';

export interface AwsMocks {
  sts: AwsClientStub<STSClient>;
  organizations: AwsClientStub<OrganizationsClient>;
  account: AwsClientStub<AccountClient>;
  iam: AwsClientStub<IAMClient>;
  eks: AwsClientStub<EKSClient>;
  restore(): void;
}

export function mockAws(): AwsMocks {
  const mocks = {
    sts: mockClient(STSClient),
    organizations: mockClient(OrganizationsClient),
    account: mockClient(AccountClient),
    iam: mockClient(IAMClient),
    eks: mockClient(EKSClient),
  };
  return {
    ...mocks,
    restore: () => {
      for (const mock of Object.values(mocks)) mock.restore();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: commands of five different clients
type AnyCommand = new (input: any) => any;

const ROUTES: [ServiceName, AnyCommand][] = [
  ['sts', GetCallerIdentityCommand],
  ['sts', AssumeRoleCommand],
  ['organizations', ListAccountsCommand],
  ['organizations', ListAccountsForParentCommand],
  ['organizations', ListOrganizationalUnitsForParentCommand],
  ['account', ListRegionsCommand],
  ['iam', GetAccountAuthorizationDetailsCommand],
  ['iam', ListOpenIDConnectProvidersCommand],
  ['iam', GetOpenIDConnectProviderCommand],
  ['eks', ListClustersCommand],
  ['eks', DescribeClusterCommand],
  ['eks', ListPodIdentityAssociationsCommand],
  ['eks', DescribePodIdentityAssociationCommand],
];

/**
 * Puts the simulated organization behind `aws-sdk-client-mock`: the real SDK clients built by the
 * production factory are used, and each `send` is answered by the simulation for the account whose
 * credentials the client carries and the client's region.
 */
/** The resolved configuration every SDK client has: whose credentials, which region. */
interface ClientWithConfig {
  config: { credentials(): Promise<{ accessKeyId: string }>; region(): Promise<string> };
}

export function mockAwsWithSimulation(sim: SimulatedAws): AwsMocks {
  const mocks = mockAws();
  for (const [service, Command] of ROUTES) {
    const api = Command.name.replace(/Command$/, '');
    // biome-ignore lint/suspicious/noExplicitAny: the stub type differs per client
    const stub = mocks[service] as any;
    stub.on(Command).callsFake(async (input: Record<string, unknown>, getClient: () => ClientWithConfig) => {
      const client = getClient();
      const credentials = await client.config.credentials();
      const region = await client.config.region();
      return sim.handle(service, api, sim.accountOfKey(credentials.accessKeyId), region, input);
    });
  }
  return mocks;
}
