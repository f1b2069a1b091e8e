/** Synth warns when the expected organization does not fit the chosen mode (infra/sizing.ts). */
import { parseConfig } from '../../infra/config';
import { BASE_CONTEXT } from './helpers';

const warnings = (context: Record<string, unknown>) =>
  parseConfig({ ...BASE_CONTEXT, ...context }).warnings.filter((warning) =>
    warning.startsWith('expectedAccounts'),
  );

describe('sizing warnings', () => {
  it('say nothing without an expected account count', () => {
    expect(warnings({})).toEqual([]);
    expect(warnings({ scale: 'distributed' })).toEqual([]);
  });

  it('ask for more memory when one Lambda run can hold the organization with it', () => {
    expect(warnings({ expectedAccounts: '100' })).toEqual([]);
    expect(warnings({ expectedAccounts: '1000' })).toEqual([
      expect.stringMatching(/needs about 2186 MB.*raise memoryMb from 1024 to at least 2186/),
    ]);
    expect(warnings({ expectedAccounts: '1000', memoryMb: '3008' })).toEqual([]);
  });

  it('point to the distributed mode beyond one Lambda', () => {
    expect(warnings({ expectedAccounts: '10000', memoryMb: '10240' })).toEqual([
      expect.stringMatching(/beyond what one Lambda has.*-c scale=distributed$/),
    ]);
  });

  it('say when the evaluate step of the distributed mode will not hold the organization', () => {
    expect(warnings({ scale: 'distributed', expectedAccounts: '2000' })).toEqual([]);
    expect(warnings({ scale: 'distributed', expectedAccounts: '3000' })).toEqual([
      expect.stringMatching(/evaluate step needs about 5146 MB.*raise memoryMb to at least 5146/),
    ]);
    expect(warnings({ scale: 'distributed', expectedAccounts: '10000' })).toEqual([
      expect.stringMatching(/beyond what the evaluate step can hold today/),
    ]);
  });
});
