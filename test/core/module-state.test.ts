/**
 * The pure core keeps no state between runs: per-run caches live on the audit context
 * (AuditContext.cache, lambda/core/context.ts), never at module level, where they would be hidden
 * state that outlives a run, grows in a long-lived Lambda container, and is invisible to the
 * dependency rule. This test reads every module of lambda/core with the TypeScript compiler and fails
 * on module-level state:
 *
 * - a `let` or `var` declaration (a memo, a reusable buffer, a counter);
 * - a `const` whose type is a mutable collection — Map, Set, WeakMap, WeakSet, WeakRef,
 *   FinalizationRegistry or a typed array — whatever builds it (`new Map()`, a factory call);
 * - a frozen value cast to a mutable type (`Object.freeze([]) as unknown as T[]`): the compiler would
 *   then allow writes that throw at run time or, outside strict mode, do nothing;
 * - a regular expression with the `g` or `y` flag (its `lastIndex` is state shared by every caller);
 * - a static class property that is not `readonly`.
 *
 * A `ReadonlyMap` / `ReadonlySet` type does not make a module-level Map or Set constant: it is a
 * compile-time view of a mutable object (one cast and it is a cache), so it fails too. Constant
 * tables are frozen arrays and records (`Object.freeze`), or plain literal arrays and objects. The
 * ALLOWED list below is for a module-level mutable value that has a reason to exist, and an entry
 * must say why it cannot be per-run or readonly (today: two RegExps whose every use sets or resets
 * `lastIndex`).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const CORE = path.join(__dirname, '..', '..', 'lambda', 'core');

/** `path relative to lambda/core:name` → why it may stay. */
const ALLOWED: Readonly<Record<string, string>> = {
  'inventory/issues.ts:INVISIBLE_RE':
    'global RegExp used only by String.prototype.replace, which resets lastIndex',
  'inventory/json-syntax.ts:NUMBER_RE': 'sticky tokenizer RegExp: every use sets lastIndex before exec',
};

const MUTABLE_COLLECTIONS = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/** Compile-time views of a Map or Set: the object behind them still accepts writes. */
const READONLY_VIEWS = new Set(['ReadonlyMap', 'ReadonlySet']);

function sourceFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

interface Violation {
  file: string;
  name: string;
  line: number;
  why: string;
}

/** Module-level state in `files` (paths reported relative to `root`). */
function moduleState(root: string, files: string[]): Violation[] {
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const violations: Violation[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`not compiled: ${file}`);
    const relative = path.relative(root, file).split(path.sep).join('/');
    const report = (node: ts.Node, name: string, why: string) => {
      if (ALLOWED[`${relative}:${name}`]) return;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      violations.push({ file: relative, name, line, why });
    };
    /** Walks code that runs when the module loads: not into functions, unless invoked right there. */
    const walkLoadTime = (node: ts.Node, name: string): void => {
      // Built while the module loads and kept by a closure (an IIFE's cache).
      if (
        ts.isNewExpression(node) &&
        MUTABLE_COLLECTIONS.has(node.expression.getText(source)) &&
        ts.findAncestor(node, ts.isFunctionLike)
      ) {
        report(node, name, `a ${node.expression.getText(source)} kept by a function built at load time`);
      }
      if (
        (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
        containsFreeze(node.expression) &&
        !isReadonlyTypeNode(node.type)
      ) {
        report(node, name, 'a frozen value cast to a mutable type');
      }
      if (ts.isFunctionLike(node) && !isInvoked(node)) return;
      ts.forEachChild(node, (child) => walkLoadTime(child, name));
    };
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) {
        const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
        for (const declaration of statement.declarationList.declarations) {
          const name = declaration.name.getText(source);
          if (!isConst) report(declaration, name, '`let`/`var` at module level is state shared by every run');
          const typeName = checker.getTypeAtLocation(declaration.name).getSymbol()?.getName();
          if (typeName && MUTABLE_COLLECTIONS.has(typeName)) {
            report(declaration, name, `a module-level ${typeName} (a cache or a mutable table)`);
          } else if (typeName && READONLY_VIEWS.has(typeName)) {
            report(
              declaration,
              name,
              `a module-level ${typeName} (a mutable collection behind a readonly type)`,
            );
          }
          const initializer = declaration.initializer && unwrap(declaration.initializer);
          if (
            initializer &&
            ts.isRegularExpressionLiteral(initializer) &&
            /\/[a-z]*[gy][a-z]*$/.test(initializer.text)
          ) {
            report(declaration, name, 'a global or sticky RegExp keeps `lastIndex` between callers');
          }
          if (declaration.initializer) walkLoadTime(declaration.initializer, name);
        }
      } else if (ts.isClassDeclaration(statement)) {
        for (const member of statement.members) {
          const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
          const isStatic = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword);
          const isReadonly = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword);
          if (ts.isPropertyDeclaration(member) && isStatic && !isReadonly) {
            report(member, member.name.getText(source), 'a static class property that is not readonly');
          }
        }
      } else if (ts.isExpressionStatement(statement)) {
        walkLoadTime(statement.expression, '(statement)');
      }
    }
  }
  return violations;
}

function containsFreeze(node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node) => {
    if (
      ts.isCallExpression(child) &&
      ts.isPropertyAccessExpression(child.expression) &&
      child.expression.getText() === 'Object.freeze'
    ) {
      found = true;
    }
    if (!found) ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

function isReadonlyTypeNode(type: ts.TypeNode): boolean {
  if (ts.isTypeOperatorNode(type)) return type.operator === ts.SyntaxKind.ReadonlyKeyword;
  if (ts.isTypeReferenceNode(type))
    return /^(Readonly|ReadonlyArray|ReadonlyMap|ReadonlySet)$/.test(type.typeName.getText());
  return (
    type.kind === ts.SyntaxKind.ConstKeyword ||
    (ts.isTypeReferenceNode(type) && type.typeName.getText() === 'const')
  );
}

function isInvoked(node: ts.Node): boolean {
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  return Boolean(
    parent && ts.isCallExpression(parent) && parent.expression !== node && unwrap(parent.expression) === node,
  );
}

function unwrap(node: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(node) ? unwrap(node.expression) : node;
}

describe('module-level state in lambda/core', () => {
  test('no module keeps a cache, memo, buffer or other mutable state (per-run caches live on AuditContext.cache)', () => {
    const files = sourceFiles(CORE);
    expect(files.length).toBeGreaterThan(40);
    expect(moduleState(CORE, files)).toEqual([]);
  });

  test('every ALLOWED entry still names a module-level value (no stale exceptions)', () => {
    const files = new Set(
      sourceFiles(CORE).map((file) => path.relative(CORE, file).split(path.sep).join('/')),
    );
    expect(Object.keys(ALLOWED).filter((entry) => !files.has(entry.split(':')[0]))).toEqual([]);
  });

  describe('the scan finds each form of module state (so the test above can fail)', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'module-state-'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const scan = (text: string): string[] => {
      const file = path.join(root, `case-${Math.random().toString(36).slice(2)}.ts`);
      writeFileSync(file, text);
      return moduleState(root, [file]).map((violation) => `${violation.name}: ${violation.why}`);
    };

    test.each([
      ['a memo', 'let last: string | undefined;\nexport const f = () => last;', 'last: `let`'],
      ['a var', 'var count = 0;\nexport const f = () => count++;', 'count: `let`'],
      [
        'a Map cache',
        'const cache = new Map<string, number>();\nexport const f = () => cache;',
        'cache: a module-level Map',
      ],
      [
        'a Set behind a ReadonlySet type',
        "const KNOWN: ReadonlySet<string> = new Set(['a']);\nexport const f = (k: string) => KNOWN.has(k);",
        'KNOWN: a module-level ReadonlySet',
      ],
      [
        'a Map behind a ReadonlyMap type, built by a factory',
        'function make(): Map<string, number> { return new Map(); }\nconst TABLE: ReadonlyMap<string, number> = make();\nexport const f = (k: string) => TABLE.get(k);',
        'TABLE: a module-level ReadonlyMap',
      ],
      [
        'a WeakMap cache',
        'const seen = new WeakMap<object, number>();\nexport const f = () => seen;',
        'seen: a module-level WeakMap',
      ],
      [
        'a cache from a factory',
        'function make() { return new Set<string>(); }\nconst names = make();\nexport const f = () => names;',
        'names: a module-level Set',
      ],
      [
        'a reusable buffer',
        'const row = new Int32Array(64);\nexport const f = () => row;',
        'row: a module-level Int32Array',
      ],
      [
        'a frozen array cast to mutable',
        'const NONE = Object.freeze([]) as unknown as string[];\nexport const f = () => NONE;',
        'NONE: a frozen value cast',
      ],
      [
        'a global RegExp',
        'const WORDS = /\\w+/g;\nexport const f = (s: string) => WORDS.exec(s);',
        'WORDS: a global or sticky RegExp',
      ],
      [
        'a cache inside an IIFE',
        'export const f = (() => { const cache = new Map(); return (k: string) => cache.get(k); })();',
        'f: a Map kept by a function built at load time',
      ],
      ['a mutable static', 'export class Counter { static count = 0; }', 'count: a static class property'],
    ])('%s', (_label, text, expected) => {
      const found = scan(text);
      expect(found.some((violation) => violation.startsWith(expected))).toBe(true);
    });

    test('frozen constant arrays and records, per-call state and sticky-free RegExps pass', () => {
      const text = [
        "const KNOWN: readonly string[] = Object.freeze(['a']);",
        'const TABLE: Readonly<Record<string, number>> = Object.freeze({ a: 1 });',
        'const NONE: readonly string[] = Object.freeze([]);',
        'const PATTERN = /^a+$/i;',
        'export class Box { static readonly LIMIT = 3; }',
        'export function f(k: string): number { const cache = new Map<string, number>(); let n = 0; n += cache.get(k) ?? 0; return n + (KNOWN.includes(k) ? TABLE[k] ?? 0 : 0) + NONE.length + (PATTERN.test(k) ? 1 : 0); }',
      ].join('\n');
      expect(scan(text)).toEqual([]);
    });
  });
});
