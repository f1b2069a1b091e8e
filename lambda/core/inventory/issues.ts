/**
 * Problem and warning collection for the inventory parser. The current JSON path is a stack of
 * segments that the parser pushes and pops; it is only formatted into text when something is reported,
 * so validating hundreds of thousands of elements builds no path strings.
 */
import { keepsAnnotationValue } from '../workload-fields';
import { InventoryError, type InventoryProblem } from './errors';

export type PathSegment = string | number;

/** Stop after this many problems: enough to fix several at once, bounded for huge broken files. */
export const MAX_INVENTORY_PROBLEMS = 20;
/** Warnings beyond this are counted, not listed. */
const MAX_INVENTORY_WARNINGS = 100;

const MAX_QUOTED_LENGTH = 60;
const IDENTIFIER_RE = /^[A-Za-z_$][\w$]*$/;
// Zero-width and bidirectional controls: shown escaped so a message cannot be visually spoofed.
const INVISIBLE_RE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

/** A user value quoted for a message: truncated, control and invisible characters escaped. */
export function quote(text: string): string {
  const short = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
  return JSON.stringify(short).replace(
    INVISIBLE_RE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** What a value is, for `expected …, got <this>`; never prints a whole object or array. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? 'an empty string' : quote(value);
    case 'number':
      return `the number ${Number.isFinite(value) ? String(value) : 'NaN'}`;
    case 'boolean':
      return String(value);
    case 'object':
      return Array.isArray(value) ? `an array (${value.length} elements)` : 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function formatPath(segments: readonly PathSegment[], extra?: readonly PathSegment[]): string {
  let text = '$';
  const append = (segment: PathSegment): void => {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER_RE.test(segment)) text += `.${segment}`;
    else text += `[${quote(segment)}]`;
  };
  for (const segment of segments) append(segment);
  if (extra) for (const segment of extra) append(segment);
  return text;
}

export class Issues {
  /** The JSON path of the value being validated; callers push/pop around children. */
  readonly path: PathSegment[] = [];
  private readonly problems: InventoryProblem[] = [];
  private readonly warnings: string[] = [];
  private suppressedWarnings = 0;
  /** Objects cut to the per-object size cap (docs/collection.md "Size caps"). */
  cappedObjects = 0;
  /**
   * Whether an annotation key keeps its value (`keepsAnnotationValue`), decided once per distinct key of
   * one read: the near-typo test is an edit distance, and pods repeat the same keys.
   */
  private readonly annotationKeys = new Map<string, boolean>();

  keepsAnnotationValue(key: string): boolean {
    let keeps = this.annotationKeys.get(key);
    if (keeps === undefined) {
      keeps = keepsAnnotationValue(key);
      this.annotationKeys.set(key, keeps);
    }
    return keeps;
  }

  constructor(
    readonly source: string,
    private readonly maxProblems = MAX_INVENTORY_PROBLEMS,
    private readonly maxWarnings = MAX_INVENTORY_WARNINGS,
  ) {}

  get problemCount(): number {
    return this.problems.length;
  }

  /** Records a problem at the current path (plus `sub`); throws once the problem limit is reached. */
  problem(message: string, ...sub: PathSegment[]): void {
    this.problems.push({ path: formatPath(this.path, sub), message });
    if (this.problems.length >= this.maxProblems) throw this.failure(true);
  }

  /** `expected <what>, got <value>`, plus an optional hint. */
  expected(what: string, value: unknown, sub?: PathSegment | readonly PathSegment[], hint?: string): void {
    const message = `expected ${what}, got ${describeValue(value)}${hint ? ` — ${hint}` : ''}`;
    if (sub === undefined) this.problem(message);
    else if (typeof sub === 'object') this.problem(message, ...sub);
    else this.problem(message, sub);
  }

  warn(message: string, ...sub: PathSegment[]): void {
    if (this.warnings.length >= this.maxWarnings) {
      this.suppressedWarnings++;
      return;
    }
    this.warnings.push(`${this.source}: ${formatPath(this.path, sub)}: ${message}`);
  }

  /** An object was cut to the size cap: a warning here, counted for the live collector's coverage note. */
  capped(message: string, ...sub: PathSegment[]): void {
    this.cappedObjects++;
    this.warn(message, ...sub);
  }

  /** Throws the collected problems, if any. */
  throwIfProblems(): void {
    if (this.problems.length > 0) throw this.failure(false);
  }

  warningList(): string[] {
    if (this.suppressedWarnings === 0) return this.warnings;
    return [...this.warnings, `${this.source}: ${this.suppressedWarnings} more warnings not shown`];
  }

  failure(truncated: boolean): InventoryError {
    const count = this.problems.length;
    const heading = truncated
      ? `${this.source} is not a valid inventory (stopped after ${count} problems; fix these and run again):`
      : `${this.source} is not a valid inventory (${count} ${count === 1 ? 'problem' : 'problems'}):`;
    const lines = this.problems.map((p) => `  ${p.path}: ${p.message}`);
    return new InventoryError('InventoryInvalid', [heading, ...lines].join('\n'), {
      source: this.source,
      problems: this.problems.slice(),
      truncated,
    });
  }
}
