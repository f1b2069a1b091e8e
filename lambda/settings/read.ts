/**
 * Reading settings of the table (settings.ts) from one source — Lambda environment, CDK context or CLI
 * flags — with one parser and one validator per setting, and messages worded for that source: the
 * environment variable, the context key or the flag, the value given (unless secret) and what was
 * expected. Problems are collected, so one ConfigError lists them all.
 */
import { AuditorError } from '../core/errors';
import type {
  BooleanSetting,
  EnumSetting,
  IntegerSetting,
  ListSetting,
  Setting,
  StringSetting,
} from './settings';

/**
 * Where settings came from; decides how messages name a setting. `options`: the collection options a
 * program passes (lambda/collect/options.ts), named by their property.
 */
export type ConfigSource = 'environment' | 'context' | 'flags' | 'options';

/** Any invalid setting, from any source. One type and one code for all three entry points. */
export class ConfigError extends AuditorError {
  declare readonly code: 'InvalidConfiguration';
  constructor(
    readonly problems: string[],
    readonly source: ConfigSource,
    options?: { cause?: unknown },
  ) {
    super('InvalidConfiguration', configErrorMessage(problems, source), options);
    this.name = 'ConfigError';
  }
}

function configErrorMessage(problems: readonly string[], source: ConfigSource): string {
  switch (source) {
    // One line: the Lambda logs it as one log event.
    case 'environment':
      return `invalid irsa-auditor configuration: ${problems.join('; ')}`;
    case 'context':
      return (
        `Invalid CDK context (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n')
      );
    case 'flags':
      return problems.join('\n');
    case 'options':
      return `invalid collection options: ${problems.join('; ')}`;
  }
}

/** Quotes a value for a message, shortened: values can be long, and messages stay one line each. */
export function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

interface Wording {
  name(setting: Setting): string;
  missing(name: string, expected: string): string;
  /**
   * `value` is undefined for a secret. `expected` is a noun phrase (`a DynamoDB table name`) or, with
   * `rule`, a requirement (`an integer from 1 to 64`, `one of …`).
   */
  invalid(name: string, value: string | undefined, expected: string, rule?: boolean): string;
  invalidItems(name: string, items: string[], expected: string): string[];
  /** A list given but empty. */
  emptyList?(name: string): string;
}

/** The sources read as text (the `options` are typed values). */
export type TextSource = Exclude<ConfigSource, 'options'>;

const WORDINGS: Record<TextSource, Wording> = {
  // RESULTS_TABLE="x" is not a DynamoDB table name
  environment: {
    name: (setting) => setting.env ?? '',
    missing: (name, expected) => `${name} is not set (${expected})`,
    invalid: (name, value, expected, rule) =>
      `${value === undefined ? name : `${name}=${show(value)}`} ${rule ? 'must be' : 'is not'} ${expected}`,
    invalidItems: (name, items, expected) => items.map((item) => `${name}: ${show(item)} is not ${expected}`),
  },
  // memoryMb: got "64"; expected an integer from 128 to 10240
  context: {
    name: (setting) => setting.context ?? '',
    missing: (name, expected) => `${name}: required; expected ${expected}`,
    invalid: (name, value, expected) =>
      value === undefined
        ? `${name}: got a value not shown here (a shared secret); expected ${expected}`
        : `${name}: got ${show(value)}; expected ${expected}`,
    invalidItems: (name, items, expected) => [
      `${name}: got ${items.map(show).join(', ')}; expected a comma-separated list where each item is ${expected}`,
    ],
  },
  // --regions: "Europe" is not an AWS region code such as eu-west-1
  flags: {
    name: (setting) => `--${setting.flag ?? ''}`,
    missing: (name, expected) => `${name} needs ${expected}`,
    invalid: (name, value, expected, rule) =>
      `${value === undefined ? name : `${name}: ${show(value)}`} ${rule ? 'must be' : 'is not'} ${expected}`,
    invalidItems: (name, items, expected) => items.map((item) => `${name}: ${show(item)} is not ${expected}`),
    emptyList: (name) => `${name} needs at least one value`,
  },
};

/** The phrase for an integer setting's rule. */
export function integerExpected(setting: IntegerSetting, max = setting.max, note = ''): string {
  if (setting.allowed) return `one of ${setting.allowedName ?? 'the values'} ${setting.allowed.join(', ')}`;
  return `an integer from ${setting.min} to ${max}${note ? ` ${note}` : ''}`;
}

/**
 * Reads settings from one source. `raw` returns what the source holds for a setting: a string
 * (environment, `-c key=value`, a flag), or a JSON value of cdk.json's context block. An empty or
 * blank value counts as unset (CloudFormation can only empty a variable; `-c key=` clears cdk.json).
 */
export class SettingsReader {
  readonly problems: string[] = [];
  private readonly wording: Wording;

  constructor(
    readonly source: TextSource,
    private readonly raw: (setting: Setting) => unknown,
  ) {
    this.wording = WORDINGS[source];
  }

  /** The name the source gives the setting: variable, context key or `--flag`. */
  name(setting: Setting): string {
    return this.wording.name(setting);
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError listing every problem recorded. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems, this.source);
  }

  private text(setting: Setting): string | undefined {
    let value = this.raw(setting);
    if (Array.isArray(value) && this.source === 'flags') value = value[value.length - 1];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') {
      this.problems.push(
        `${this.name(setting)}: got ${typeof value === 'object' ? 'a JSON object or array' : typeof value}; expected a string`,
      );
      return undefined;
    }
    const trimmed = value.trim();
    // A flag typed with an empty value was still given: it is checked (`--profile ''` names no profile).
    return trimmed === '' && this.source !== 'flags' ? undefined : trimmed;
  }

  string(setting: StringSetting, options: { required?: boolean } = {}): string | undefined {
    const value = this.text(setting);
    if (value === undefined) {
      // A pattern's phrase is what an empty value fails with.
      if (options.required)
        this.problems.push(this.wording.missing(this.name(setting), setting.validate('') ?? 'a value'));
      return undefined;
    }
    const expected = setting.validate(value);
    if (expected === undefined) return value;
    this.problems.push(
      this.wording.invalid(this.name(setting), setting.secret ? undefined : value, expected),
    );
    return undefined;
  }

  /** Items split on commas and white space, trimmed, de-duplicated; undefined when unset or empty. */
  list(setting: ListSetting): string[] | undefined {
    const value = this.raw(setting);
    if (value === undefined || value === null) return undefined;
    const parts = Array.isArray(value) ? value : [value];
    if (!parts.every((part) => typeof part === 'string')) {
      this.problems.push(
        this.wording.invalid(
          this.name(setting),
          JSON.stringify(value),
          `a comma-separated list where each item is ${setting.validateItem('') ?? 'a value'}`,
        ),
      );
      return undefined;
    }
    const items = [...new Set(parts.flatMap((part) => part.split(/[\s,]+/)).filter((item) => item !== ''))];
    if (items.length === 0) {
      if (this.wording.emptyList) this.problems.push(this.wording.emptyList(this.name(setting)));
      return undefined;
    }
    const bad = items.filter((item) => setting.validateItem(item) !== undefined);
    if (bad.length === 0) return items;
    this.problems.push(
      ...this.wording.invalidItems(this.name(setting), bad, setting.validateItem(bad[0]) ?? ''),
    );
    return undefined;
  }

  /** `max` and `note` narrow the table's range where another setting bounds it. */
  integer(setting: IntegerSetting, max = setting.max, note = ''): number | undefined {
    const raw = this.text(setting);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    const valid =
      /^\d+$/.test(raw) &&
      Number.isSafeInteger(value) &&
      value >= setting.min &&
      value <= max &&
      (setting.allowed === undefined || setting.allowed.includes(value));
    if (valid) return value;
    this.problems.push(
      this.wording.invalid(this.name(setting), raw, integerExpected(setting, max, note), true),
    );
    return undefined;
  }

  boolean(setting: BooleanSetting): boolean | undefined {
    const raw = this.text(setting);
    if (raw === undefined) return undefined;
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    this.problems.push(this.wording.invalid(this.name(setting), raw, 'true or false', true));
    return undefined;
  }

  oneOf<T extends string>(setting: EnumSetting<T>): T | undefined {
    const raw = this.text(setting);
    if (raw === undefined) return undefined;
    if ((setting.values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(
      this.wording.invalid(this.name(setting), raw, `one of ${setting.values.join(', ')}`, true),
    );
    return undefined;
  }
}
