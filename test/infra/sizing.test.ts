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
    // The default, one vCPU, holds what 15 minutes collect: 256 + 4 × 303 MB.
    expect(warnings({ expectedAccounts: '4000' })).toEqual([]);
    expect(warnings({ expectedAccounts: '4000', memoryMb: '1024' })).toEqual([
      expect.stringMatching(/needs about 1468 MB.*raise memoryMb from 1024 to at least 1468/),
    ]);
    expect(warnings({ expectedAccounts: '4000', memoryMb: '1468' })).toEqual([]);
  });

  it('point to the distributed mode beyond one Lambda', () => {
    // 5,000 accounts take 905 s, beyond 15 minutes whatever the memory.
    expect(warnings({ expectedAccounts: '5000', memoryMb: '10240' })).toEqual([
      expect.stringMatching(
        /needs about 1771 MB and 905 s.*beyond what one Lambda has.*-c scale=distributed$/,
      ),
    ]);
    expect(warnings({ expectedAccounts: '3000', timeoutMinutes: '5' })).toEqual([
      expect.stringMatching(/543 s.*timeoutMinutes=5.*-c scale=distributed$/),
    ]);
  });

  it('say when the evaluate step of the distributed mode will not hold the organization', () => {
    expect(warnings({ scale: 'distributed', expectedAccounts: '10000' })).toEqual([]);
    expect(warnings({ scale: 'distributed', expectedAccounts: '15000' })).toEqual([
      expect.stringMatching(/evaluate step needs about 4756 MB.*raise evaluateMemoryMb to at least 4756/),
    ]);
    expect(warnings({ scale: 'distributed', expectedAccounts: '15000', evaluateMemoryMb: '4756' })).toEqual(
      [],
    );
    expect(warnings({ scale: 'distributed', expectedAccounts: '40000' })).toEqual([
      expect.stringMatching(/needs about 12256 MB.*beyond what the evaluate step can hold today/),
    ]);
  });
});
