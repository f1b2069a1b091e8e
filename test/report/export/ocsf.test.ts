import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCSF_VERSION, renderOcsf } from '../../../lambda/report/export/ocsf';
import { demoExport, ROOT } from './demo-scan';

interface OcsfExtract {
  version: string;
  class: { uid: number; category_uid: number; required: string[]; enums: Record<string, number[]> };
  objects: Record<string, { required: string[] }>;
}
const extract = JSON.parse(
  readFileSync(join(ROOT, 'schema/vendor/ocsf-1.3.0-detection-finding.json'), 'utf8'),
) as OcsfExtract;

type Event = Record<string, unknown> & {
  finding_info: Record<string, unknown>;
  resources: Record<string, unknown>[];
};

/** Every way an event can break the class definition; empty when it conforms. */
function violations(event: Event): string[] {
  const out: string[] = [];
  for (const attribute of extract.class.required) {
    if (event[attribute] === undefined || event[attribute] === null) out.push(`missing ${attribute}`);
  }
  for (const [object, { required }] of Object.entries(extract.objects)) {
    const value = event[object] as Record<string, unknown> | undefined;
    if (value === undefined) continue;
    for (const attribute of required)
      if (value[attribute] === undefined) out.push(`missing ${object}.${attribute}`);
  }
  for (const [attribute, values] of Object.entries(extract.class.enums)) {
    if (event[attribute] !== undefined && !values.includes(event[attribute] as number))
      out.push(`${attribute} ${String(event[attribute])} not in the enum`);
  }
  if (event.class_uid !== extract.class.uid) out.push('class_uid');
  if (event.category_uid !== extract.class.category_uid) out.push('category_uid');
  if (event.type_uid !== (event.class_uid as number) * 100 + (event.activity_id as number))
    out.push('type_uid');
  if (!Number.isInteger(event.time) || (event.time as number) <= 0) out.push('time is not epoch ms');
  return out;
}

describe('OCSF export', () => {
  const input = demoExport();
  const events = JSON.parse(renderOcsf(input)) as Event[];

  it(`is one Detection Finding per finding, of the vendored ${extract.version} definition`, () => {
    expect(OCSF_VERSION).toBe(extract.version);
    expect(events).toHaveLength(input.findings.length);
    for (const event of events) expect(violations(event)).toEqual([]);
  });

  it('the conformance check is real: it rejects broken events', () => {
    const good = events[0]!;
    expect(violations({ ...good, finding_info: { uid: 'x' } })).toContain('missing finding_info.title');
    expect(violations({ ...good, severity_id: 7 })).toContain('severity_id 7 not in the enum');
    expect(violations({ ...good, type_uid: 200402 })).toContain('type_uid');
    const { metadata: _metadata, ...noMetadata } = good;
    expect(violations(noMetadata as Event)).toContain('missing metadata');
  });

  it('carries the fingerprint, check, severity, remediation and resources of each finding', () => {
    input.findings.forEach((finding, i) => {
      const event = events[i]!;
      expect(event.finding_info.uid).toBe(finding.fingerprint);
      expect(event.finding_info.types).toEqual([finding.checkId]);
      expect(event.severity).toBe(
        finding.severity === 'info'
          ? 'Informational'
          : finding.severity.charAt(0).toUpperCase() + finding.severity.slice(1),
      );
      expect((event.remediation as { desc: string }).desc.startsWith(finding.remediation)).toBe(true);
      const uids = event.resources.map((r) => r.uid);
      if (finding.resource.roleArn) expect(uids).toContain(finding.resource.roleArn);
      expect((event.cloud as { account: { uid: string } }).account.uid).toBe(finding.resource.accountId);
    });
  });

  it('maps the lifecycle: open is Create/New, suppressed is Suppressed, resolved is Close/Resolved', () => {
    const [a, b, c] = input.findings;
    const out = JSON.parse(
      renderOcsf({
        ...input,
        findings: [
          { ...a!, status: 'open' },
          { ...b!, status: 'suppressed' },
          { ...c!, status: 'resolved', resolvedAt: '2026-12-05T01:00:00.000Z' },
        ],
      }),
    ) as Event[];
    expect(out.map((e) => [e.activity_id, e.status_id, e.type_uid])).toEqual([
      [1, 1, 200401],
      [1, 3, 200401],
      [3, 4, 200403],
    ]);
    expect(out[2]!.time).toBe(Date.parse('2026-12-05T01:00:00.000Z'));
    for (const event of out) expect(violations(event)).toEqual([]);
  });
});
