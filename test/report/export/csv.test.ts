import { CSV_COLUMNS, csvField, renderCsv } from '../../../lambda/report/export/csv';
import { demoExport } from './demo-scan';

/** A strict RFC 4180 reader: the test's own, so the export is checked against the RFC, not itself. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) throw new Error('last record without CRLF');
  return rows;
}

describe('CSV export', () => {
  const input = demoExport();

  it('has a header of the stable column order and one row per finding, every row as wide', () => {
    const rows = parseCsv(renderCsv(input));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(input.findings.length + 1);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    input.findings.forEach((finding, i) => {
      const row = rows[i + 1]!;
      expect(row[col('fingerprint')]).toBe(finding.fingerprint);
      expect(row[col('check_id')]).toBe(finding.checkId);
      expect(row[col('message')]).toBe(
        /^[=+\-@]/.test(finding.message) ? `'${finding.message}` : finding.message,
      );
      expect(row[col('role_arn')]).toBe(finding.resource.roleArn ?? '');
    });
  });

  it('quotes commas, quotes and line breaks, and keeps all fix commands in one cell', () => {
    const [first] = input.findings;
    const text = renderCsv({
      ...input,
      findings: [
        {
          ...first!,
          status: 'open',
          message: 'a "quoted", multi\nline\r\nvalue',
          commands: ['kubectl rollout restart -n a deployment/b', 'aws iam get-role --role-name x'],
        },
      ],
    });
    const rows = parseCsv(text);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(rows[1]![col('message')]).toBe('a "quoted", multi\nline\r\nvalue');
    expect(rows[1]![col('commands')]).toBe(
      'kubectl rollout restart -n a deployment/b\naws iam get-role --role-name x',
    );
  });

  it('defuses spreadsheet formulas in untrusted text', () => {
    expect(csvField('=HYPERLINK("https://evil.example","x")')).toBe(
      '"\'=HYPERLINK(""https://evil.example"",""x"")"',
    );
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('plain')).toBe('plain');
  });
});
