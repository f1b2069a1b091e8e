import { explainServiceAccount } from '../../../lambda/core/explain/index';
import { ExplainTargetError } from '../../../lambda/core/explain/target';
import { identityGraph } from '../../../lambda/report/html/graph';
import { demo } from './demo-report';

describe('identity graph', () => {
  const { inventory, scan } = demo();
  const graph = identityGraph(inventory, scan);

  it('has every demo cluster', () => {
    const clusters = inventory.accounts.flatMap((a) =>
      a.clusters.map((c) => `cluster:${a.accountId}/${c.region}/${c.name}`),
    );
    expect(graph.clusters.map((c) => c.id).sort()).toEqual(clusters.sort());
  });

  it('colours each annotation and association edge with explain’s verdict of its service account', () => {
    const edges = graph.edges.filter((e) => e.kind !== 'trusts');
    expect(edges.length).toBeGreaterThan(50);
    let compared = 0;
    for (const edge of edges) {
      const [accountId, region, cluster, namespace, serviceAccount] = edge.from
        .slice('sa:'.length)
        .split('/');
      let report: ReturnType<typeof explainServiceAccount>;
      try {
        report = explainServiceAccount(inventory, {
          accountId,
          region,
          cluster: cluster!,
          namespace: namespace!,
          serviceAccount: serviceAccount!,
        });
      } catch (error) {
        // An association naming a namespace that does not exist: explain refuses the target, the
        // graph shows the association as broken (podidentity.sa-missing).
        expect(error).toBeInstanceOf(ExplainTargetError);
        expect(edge).toMatchObject({ kind: 'associated', verdict: 'broken' });
        continue;
      }
      compared += 1;
      expect(edge.why).toBe(report.summary);
      const inUse =
        report.mechanism.effective === 'both' ||
        report.mechanism.effective === 'unknown' ||
        (edge.kind === 'annotated'
          ? report.mechanism.effective === 'irsa'
          : report.mechanism.effective === 'pod-identity');
      if (report.verdict === 'broken' && report.mechanism.effective === 'none')
        expect(edge.verdict).toBe('broken');
      else if (!inUse) expect(edge.verdict).toBe('unused');
      else expect(edge.verdict).toBe(report.verdict === 'unused' ? 'unused' : report.verdict);
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('marks trusts that admit more than named service accounts as exposed', () => {
    const exposed = graph.edges.filter((e) => e.kind === 'trusts' && e.verdict === 'exposed');
    const unrestricted = scan.findings.filter((f) => f.checkId === 'trust.sub-unrestricted');
    for (const finding of unrestricted) {
      expect(exposed.some((e) => e.from === `role:${finding.resource.roleArn}`)).toBe(true);
    }
    for (const edge of exposed) expect(edge.to.startsWith('cluster:')).toBe(true);
  });
});
