import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventoryFile } from '../../lambda/cli/inventory-file';
import { parseInventoryText } from '../../lambda/core/inventory/parse-text';
import { inventoryError, inventoryErrorAsync, validDocument } from './helpers';

describe('loadInventoryFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'irsa-inventory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('loads a valid file', async () => {
    const path = write('ok.json', JSON.stringify(validDocument(), null, 2));

    const { inventory, warnings } = await loadInventoryFile(path);

    expect(inventory.accounts[0].accountId).toBe('111122223333');
    expect(warnings).toEqual([]);
  });

  it('reports a missing file as unreadable, naming it', async () => {
    const path = join(dir, 'missing.json');

    const error = await inventoryErrorAsync(() => loadInventoryFile(path));

    expect(error.code).toBe('InventoryUnreadable');
    expect(error.message).toBe(`${path}: cannot read the inventory file (no such file)`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('reports a directory as unreadable', async () => {
    const error = await inventoryErrorAsync(() => loadInventoryFile(dir));

    expect(error.code).toBe('InventoryUnreadable');
    expect(error.message).toContain('it is a directory');
  });

  it('reports text that is not JSON with the file, line and column', async () => {
    const path = write('trailing-comma.json', '{\n  "schemaVersion": 1,\n  "accounts": [],\n}\n');

    const error = await inventoryErrorAsync(() => loadInventoryFile(path));

    expect(error.code).toBe('InventoryNotJson');
    expect(error.message).toBe(
      `${path} is not valid JSON: line 4, column 1: expected a property name after "," (trailing commas are not JSON), found "}"`,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports an empty file', async () => {
    const path = write('empty.json', '  \n');

    const error = await inventoryErrorAsync(() => loadInventoryFile(path));

    expect(error.code).toBe('InventoryNotJson');
    expect(error.message).toBe(`${path} is empty: expected a JSON inventory document`);
  });

  it('reads UTF-8 with a byte-order mark', async () => {
    const path = write('bom.json', `\ufeff${JSON.stringify(validDocument())}`);

    const { inventory } = await loadInventoryFile(path);

    expect(inventory.accounts).toHaveLength(1);
  });

  it('reads UTF-16LE with a byte-order mark (Windows PowerShell redirection)', async () => {
    const text = `\ufeff${JSON.stringify(validDocument())}`;
    const path = write('utf16.json', Buffer.from(text, 'utf16le'));

    const { inventory } = await loadInventoryFile(path);

    expect(inventory.accounts[0].clusters[0].name).toBe('prod');
  });

  it('rejects bytes that are not UTF-8', async () => {
    const path = write('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));

    const error = await inventoryErrorAsync(() => loadInventoryFile(path));

    expect(error.code).toBe('InventoryNotJson');
    expect(error.message).toBe(`${path} is not valid JSON: it is not UTF-8 text`);
  });

  it('names the file in validation errors', async () => {
    const document = validDocument();
    document.accounts[0].accountId = 7;
    const path = write('invalid.json', JSON.stringify(document));

    const error = await inventoryErrorAsync(() => loadInventoryFile(path));

    expect(error.code).toBe('InventoryInvalid');
    expect(error.message).toContain(`${path} is not a valid inventory (1 problem):`);
    expect(error.message).toContain('$.accounts[0].accountId: expected a 12-digit string, got the number 7');
  });
});

describe('parseInventoryText', () => {
  it.each([
    [
      'a missing value',
      '{"schemaVersion": }',
      1,
      19,
      'expected a value (true, false, null, a number, a string, [ or {), found "}"',
    ],
    ['an unclosed array', '{"accounts": [1, 2', 1, 19, 'expected "," or "]", found the end of the input'],
    ['a single-quoted key', "{\n'a': 1}", 2, 1, 'expected a double-quoted property name or "}", found "\'"'],
    ['a missing colon', '{"a" 1}', 1, 6, 'expected ":" after the property name, found "1"'],
    ['two documents', '{}\n{}', 2, 1, 'expected the end of the input after the JSON value, found "{"'],
    ['a raw newline in a string', '{"a": "x\ny"}', 1, 9, 'found a control character inside a string'],
    ['an unclosed string', '{"a": "xyz', 1, 7, 'found a string that is never closed'],
    ['a bad escape', '{"a": "\\x"}', 1, 8, 'found an invalid escape sequence \\x inside a string'],
    ['a comment', '{ // note\n}', 1, 3, 'expected a double-quoted property name or "}", found "/"'],
    ['NaN', '{"a": NaN}', 1, 7, 'expected a value'],
  ])('locates %s', (_label, text, line, column, message) => {
    const error = inventoryError(() => parseInventoryText(text, 'x.json'));

    expect(error.code).toBe('InventoryNotJson');
    expect(error.message).toContain(`x.json is not valid JSON: line ${line}, column ${column}: `);
    expect(error.message).toContain(message);
  });
});
