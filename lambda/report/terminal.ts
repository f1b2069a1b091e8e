/**
 * How terminal output looks: its width and whether severities are coloured. Pure: the CLI reads the
 * environment and the terminal once and passes a `Terminal` to the renderers (docs/output.md
 * "Terminal").
 */
import type { Severity } from '../core/model';

export interface Terminal {
  /** Columns available; prose wraps and one-line rows are clipped to it. */
  width: number;
  /** ANSI colours on severities. */
  color: boolean;
}

/** What a pipe, a file or a test gets: 80 columns, no colour. */
export const PLAIN: Terminal = { width: 80, color: false };

const MIN_WIDTH = 40;

/**
 * `COLUMNS` (set by the shell, or by the user for one command) wins over the terminal's own size,
 * which only a terminal has; 80 otherwise.
 */
export function terminalWidth(env: NodeJS.ProcessEnv, ttyColumns: number | undefined): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(MIN_WIDTH, fromEnv);
  if (ttyColumns !== undefined && Number.isInteger(ttyColumns) && ttyColumns > 0)
    return Math.max(MIN_WIDTH, ttyColumns);
  return 80;
}

/**
 * The https://no-color.org convention: `NO_COLOR` (any non-empty value) turns colour off,
 * `FORCE_COLOR` (anything but `0` or `false`) turns it on even in a pipe, else colour only on a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stdoutIsTTY;
}

const SGR: Record<Severity, string> = {
  critical: '1;31',
  high: '31',
  medium: '33',
  low: '36',
  info: '2',
};

/** `text` in the severity's colour when colour is on; callers pad before colouring so widths hold. */
export function paintSeverity(text: string, severity: Severity, terminal: Terminal): string {
  return terminal.color ? `\u001b[${SGR[severity]}m${text}\u001b[0m` : text;
}

export function bold(text: string, terminal: Terminal): string {
  return terminal.color ? `\u001b[1m${text}\u001b[0m` : text;
}

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (max <= 0) return '';
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Like `clip`, but keeps the end: `…/orders/Deployment/orders-worker`. */
export function clipStart(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (max <= 0) return '';
  return flat.length <= max ? flat : `…${flat.slice(flat.length - max + 1)}`;
}
