/**
 * A deliberately small JSON Schema (2020-12) validator for the keywords our inventory schema uses, so
 * the tests can check documents against the schema without a dependency. `SUPPORTED_KEYWORDS` lists
 * what it understands; a test fails if the schema uses anything else (it would be silently ignored).
 */

type Schema = Record<string, unknown> | boolean;

export const SUPPORTED_KEYWORDS = new Set([
  // annotations, ignored on purpose
  '$schema',
  '$id',
  'title',
  'description',
  'format',
  'default',
  'examples',
  '$defs',
  // assertions and applicators
  '$ref',
  'type',
  'const',
  'enum',
  'pattern',
  'minLength',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === 'number' && actual === 'integer');
}

export class SchemaValidator {
  constructor(private readonly root: Record<string, unknown>) {}

  /** Error messages (JSON path: what failed); empty when the value is valid. */
  validate(value: unknown, schema: Schema = this.root, path = '$'): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${path}: not allowed`];
    const errors: string[] = [];
    if (typeof schema.$ref === 'string')
      errors.push(...this.validate(value, this.resolve(schema.$ref), path));
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => typeMatches(t, value))) {
        return [...errors, `${path}: expected type ${types.join('|')}, got ${typeOf(value)}`];
      }
    }
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
      errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      errors.push(`${path}: expected one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof value === 'string') {
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
        errors.push(`${path}: does not match ${schema.pattern}`);
      }
      if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) {
        errors.push(`${path}: shorter than ${schema.minLength}`);
      }
    }
    if (typeOf(value) === 'object') {
      const object = value as Record<string, unknown>;
      for (const key of (schema.required as string[] | undefined) ?? []) {
        if (!(key in object)) errors.push(`${path}: missing ${key}`);
      }
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [key, child] of Object.entries(object)) {
        if (key in properties) errors.push(...this.validate(child, properties[key], `${path}.${key}`));
        else if (schema.additionalProperties !== undefined) {
          errors.push(...this.validate(child, schema.additionalProperties as Schema, `${path}.${key}`));
        }
      }
    }
    if (Array.isArray(value) && schema.items !== undefined) {
      value.forEach((item, i) => {
        errors.push(...this.validate(item, schema.items as Schema, `${path}[${i}]`));
      });
    }
    if (Array.isArray(schema.allOf)) {
      for (const sub of schema.allOf as Schema[]) errors.push(...this.validate(value, sub, path));
    }
    if (Array.isArray(schema.anyOf)) {
      const results = (schema.anyOf as Schema[]).map((sub) => this.validate(value, sub, path));
      if (!results.some((r) => r.length === 0))
        errors.push(`${path}: matches none of anyOf (${results.flat()[0]})`);
    }
    if (Array.isArray(schema.oneOf)) {
      const results = (schema.oneOf as Schema[]).map((sub) => this.validate(value, sub, path));
      const matches = results.filter((r) => r.length === 0).length;
      if (matches !== 1) {
        const detail = matches === 0 ? results.map((r) => r[0]).join('; ') : `${matches} branches`;
        errors.push(`${path}: must match exactly one of oneOf, matched ${matches} (${detail})`);
      }
    }
    if (schema.not !== undefined && this.validate(value, schema.not as Schema, path).length === 0) {
      errors.push(`${path}: matches a schema it must not match`);
    }
    if (
      schema.if !== undefined &&
      this.validate(value, schema.if as Schema, path).length === 0 &&
      schema.then
    ) {
      errors.push(...this.validate(value, schema.then as Schema, path));
    }
    return errors;
  }

  resolve(ref: string): Schema {
    const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const defs = this.root.$defs as Record<string, Schema> | undefined;
    if (!match || !defs || !(match[1] in defs)) throw new Error(`unresolvable $ref ${ref}`);
    return defs[match[1]];
  }
}

/** Every keyword used anywhere in a schema (walking subschemas, not data-like maps). */
export function keywordsOf(schema: unknown, out = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return out;
  if (Array.isArray(schema)) {
    for (const item of schema) keywordsOf(item, out);
    return out;
  }
  for (const [key, value] of Object.entries(schema)) {
    out.add(key);
    if (key === 'properties' || key === '$defs') {
      for (const child of Object.values(value as object)) keywordsOf(child, out);
    } else if (['items', 'additionalProperties', 'not', 'if', 'then'].includes(key)) keywordsOf(value, out);
    else if (['oneOf', 'anyOf', 'allOf'].includes(key)) keywordsOf(value, out);
  }
  return out;
}

/** Every `$ref` value in a schema. */
export function refsOf(schema: unknown, out: string[] = []): string[] {
  if (typeof schema !== 'object' || schema === null) return out;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.push(value);
    else refsOf(value, out);
  }
  return out;
}
