/**
 * The `irsa-audit` command line on commander: every command is a `CommandSpec` (its options as data
 * and a `run` function), so adding a command is one entry in `commands/index.ts` and adding an
 * option one line in its spec. Shared here: `--version`, `help <command>`, "did you mean",
 * repeatable list options, `--output FILE`, the optional config file and shell completion
 * (docs/output.md "Command line").
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { colorEnabled, PLAIN, type Terminal, terminalWidth } from '../report/terminal';
import { didYouMean, type Values } from './args';
import { CliError, type CliIO, EXIT_OK, EXIT_USAGE } from './io';

export interface OptionSpec {
  /** commander syntax: `-i, --inventory <file>` or `--details`. */
  flags: string;
  description: string;
  /** Repeatable and comma-separated: the command reads it with `listOf` (`--check A --check B`, `--check A,B`). */
  list?: boolean;
  /** The environment variable the command falls back to: it outranks the config file. */
  env?: string;
  /** Values offered by shell completion. */
  choices?: readonly string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** commander syntax for positional arguments: `<fingerprint>`. */
  arguments?: string;
  /** The usage line after the command name, when `[options]` does not say enough. */
  usage?: string;
  options: readonly OptionSpec[];
  /** Shown after the options in `--help`. */
  help?: string;
  /** Accepts `--output FILE`: what it prints to standard output goes to FILE instead. */
  output?: boolean;
  run(values: Values, args: string[], context: CommandContext): Promise<number>;
  /**
   * A command that parses its own argument list (`run(argv, io)` on `parseArgs`): listed in the
   * help and completion, given its arguments untouched. For a command not yet described as options.
   */
  raw?: (argv: string[], io: CliIO) => Promise<number>;
}

/** A `CommandSpec` for a command that parses its own arguments. */
export function rawCommand(
  name: string,
  summary: string,
  run: (argv: string[], io: CliIO) => Promise<number>,
): CommandSpec {
  return {
    name,
    summary,
    options: [],
    raw: run,
    run: () => Promise.reject(new Error(`${name} parses its own arguments`)),
  };
}

export interface CommandContext {
  io: CliIO;
  /** Width and colour for terminal renderers (plain when writing to a file). */
  terminal: Terminal;
  /** The command's `--help` text, for usage errors. */
  usage: string;
}

export const CONFIG_FILE = '.irsa-audit.json';

const OUTPUT: OptionSpec = {
  flags: '--output <file>',
  description: 'write the report to FILE instead of standard output',
};
const CONFIG: OptionSpec = {
  flags: '--config <file>',
  description: `defaults for these options (JSON; default ./${CONFIG_FILE} when it exists)`,
};

/** The options a spec really has: its own, then `--output` and `--config`. */
function optionsOf(spec: CommandSpec): OptionSpec[] {
  if (spec.raw) return [];
  return [...spec.options, ...(spec.output ? [OUTPUT] : []), CONFIG];
}

function longName(flags: string): string {
  const match = /--([a-z][a-z0-9-]*)/.exec(flags);
  if (!match) throw new Error(`option without a long flag: ${flags}`);
  return match[1];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Help to stdout; commander's errors are thrown and printed once by `main`, like every other. */
function output(io: CliIO) {
  return { writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} };
}

export function buildProgram(
  specs: readonly CommandSpec[],
  io: CliIO,
  exit: (code: number) => void,
): Command {
  const program = new Command('irsa-audit')
    .description(
      'Audit EKS IAM Roles for Service Accounts (IRSA) and Pod Identity across an AWS Organization.',
    )
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .configureOutput(output(io))
    .exitOverride();

  for (const spec of specs) {
    const command = program
      .command(spec.name)
      .summary(spec.summary)
      .description(spec.summary)
      .helpOption('-h, --help', 'show help')
      .showSuggestionAfterError(true)
      .configureOutput(output(io))
      .exitOverride();
    if (spec.arguments) command.arguments(spec.arguments);
    if (spec.usage) command.usage(spec.usage);
    for (const option of optionsOf(spec)) {
      const added = new Option(option.flags, option.description);
      if (option.list) added.argParser(collect);
      command.addOption(added);
    }
    if (spec.help) command.addHelpText('after', `\n${spec.help}`);
    command.action(async (...params: unknown[]) => {
      const args = params.slice(0, -2).filter((arg): arg is string => typeof arg === 'string');
      exit(await runSpec(spec, specs, command, args, io));
    });
  }
  return program;
}

async function runSpec(
  spec: CommandSpec,
  specs: readonly CommandSpec[],
  command: Command,
  args: string[],
  io: CliIO,
): Promise<number> {
  const values: Values = {};
  const opts = command.opts();
  for (const option of command.options) {
    if (option.long) values[option.long.slice(2)] = opts[option.attributeName()] as Values[string];
  }
  applyConfig(spec, specs, command, values, io);
  const usage = command.helpInformation();
  const outputFile = typeof values.output === 'string' && values.output !== '-' ? values.output : undefined;
  if (!outputFile) {
    const terminal: Terminal = {
      width: terminalWidth(io.env, io.columns),
      color: colorEnabled(io.env, Boolean(io.stdoutIsTTY)),
    };
    return spec.run(values, args, { io, terminal, usage });
  }
  let text = '';
  const code = await spec.run(values, args, {
    io: {
      ...io,
      stdout: (chunk) => {
        text += chunk;
      },
      stdoutIsTTY: false,
    },
    terminal: PLAIN,
    usage,
  });
  try {
    writeFileSync(resolve(io.cwd, outputFile), text);
  } catch (error) {
    throw new CliError(`cannot write ${outputFile}: ${(error as Error).message}`, EXIT_USAGE, {
      cause: error,
    });
  }
  return code;
}

/**
 * Fills the options not given on the command line from the config file: the command's own section
 * (`{"scan": {"fail-on": "high"}}`) over the top level (`{"table": "audit-results"}`). An option whose
 * environment variable is set keeps it: flag > environment > config file > built-in default.
 */
function applyConfig(
  spec: CommandSpec,
  specs: readonly CommandSpec[],
  command: Command,
  values: Values,
  io: CliIO,
): void {
  const config = loadConfig(values.config as string | undefined, io, specs);
  if (!config) return;
  const section = config.values[spec.name];
  const own = section && typeof section === 'object' && !Array.isArray(section) ? section : {};
  for (const option of optionsOf(spec)) {
    const name = longName(option.flags);
    if (name === 'config') continue;
    const key = command.options.find((candidate) => candidate.long === `--${name}`)?.attributeName();
    if (key && command.getOptionValueSource(key) === 'cli') continue;
    if (option.env && io.env[option.env]) continue;
    const value = Object.hasOwn(own, name)
      ? (own as Record<string, unknown>)[name]
      : Object.hasOwn(config.values, name)
        ? config.values[name]
        : undefined;
    if (value === undefined) continue;
    values[name] = configValue(value, option, `${config.path}: "${name}"`);
  }
}

function configValue(value: unknown, option: OptionSpec, where: string): Values[string] {
  const takesValue = option.flags.includes('<');
  if (!takesValue) {
    if (typeof value === 'boolean') return value;
    throw new CliError(`${where} must be true or false`);
  }
  if (typeof value === 'string') return option.list ? [value] : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (option.list && Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value as string[];
  throw new CliError(`${where} must be a string${option.list ? ' or a list of strings' : ''}`);
}

interface LoadedConfig {
  path: string;
  values: Record<string, unknown>;
}

function loadConfig(
  given: string | undefined,
  io: CliIO,
  configSpecs: readonly CommandSpec[],
): LoadedConfig | undefined {
  const path = given ? resolve(io.cwd, given) : join(io.cwd, CONFIG_FILE);
  if (!given && !existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError(`${path}: cannot read the config file (${reason})`, EXIT_USAGE, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(`${path}: the config file must be a JSON object of option names`);
  const values = parsed as Record<string, unknown>;
  const commands = configSpecs.map((spec) => spec.name);
  const options = [...new Set(configSpecs.flatMap((spec) => optionsOf(spec).map((o) => longName(o.flags))))];
  for (const [key, value] of Object.entries(values)) {
    if (commands.includes(key)) {
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new CliError(`${path}: "${key}" must be an object of ${key}'s options`);
      const own = optionsOf(configSpecs.find((spec) => spec.name === key) as CommandSpec).map((o) =>
        longName(o.flags),
      );
      for (const name of Object.keys(value))
        if (!own.includes(name) || name === 'config')
          throw new CliError(`${path}: ${key} has no option "${name}"${didYouMean(name, own)}`);
    } else if (!options.includes(key) || key === 'config') {
      throw new CliError(
        `${path}: "${key}" is neither a command nor an option${didYouMean(key, [...commands, ...options])}`,
      );
    }
  }
  return { path, values };
}

/**
 * Runs the command line; returns the exit code. Usage mistakes found by commander (unknown command
 * or option, missing value) exit 2 like the commands' own.
 */
export async function runProgram(argv: string[], specs: readonly CommandSpec[], io: CliIO): Promise<number> {
  let code: number | undefined;
  const program = buildProgram(specs, io, (exitCode) => {
    code = exitCode;
  });
  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return EXIT_USAGE;
  }
  const names = specs.map((spec) => spec.name);
  if (argv[0] === 'help' && argv[1] !== undefined && !names.includes(argv[1]) && argv[1] !== 'help') {
    throw new CliError(
      `Unknown command '${argv[1]}'${didYouMean(argv[1], names)}\n(irsa-audit --help lists the commands)`,
    );
  }
  const raw = specs.find((spec) => spec.raw && spec.name === argv[0]);
  if (raw?.raw) return raw.raw(argv.slice(1), io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT_OK;
      throw new CliError(commanderMessage(error, program, argv), EXIT_USAGE, { cause: error });
    }
    throw error;
  }
  return code ?? EXIT_OK;
}

/** `error: unknown option '--x'` → `Unknown option '--x'`, with "see --help" for where to look. */
function commanderMessage(error: CommanderError, program: Command, argv: string[]): string {
  const text = error.message.replace(/^error: /, '');
  const message = text.charAt(0).toUpperCase() + text.slice(1);
  if (error.code === 'commander.unknownCommand') return `${message}\n(irsa-audit --help lists the commands)`;
  const name = argv.find((arg) => program.commands.some((command) => command.name() === arg));
  return `${message}\n(irsa-audit ${name ? `${name} ` : ''}--help lists the options)`;
}

/** One command on its own argument list (`irsa-audit <name>` already consumed): for callers and tests of one command. */
export function runArgv(spec: CommandSpec, argv: string[], io: CliIO): Promise<number> {
  return runProgram([spec.name, ...argv], [spec], io);
}

/** `irsa-audit completion bash|zsh`: a completion script for the commands, options and values. */
export function completionScript(shell: 'bash' | 'zsh', specs: readonly CommandSpec[]): string {
  const names = [...specs.map((spec) => spec.name), 'help'];
  const cases = specs.map((spec) => {
    const flags = [
      ...optionsOf(spec).flatMap((option) => option.flags.match(/--?[a-z][a-z0-9-]*/g) ?? []),
      '--help',
    ];
    return `    ${spec.name}) opts="${flags.join(' ')}" ;;`;
  });
  const valueCases = new Map<string, Set<string>>();
  for (const spec of specs)
    for (const option of spec.options) {
      if (!option.choices) continue;
      const name = longName(option.flags);
      valueCases.set(name, new Set([...(valueCases.get(name) ?? []), ...option.choices]));
    }
  const values = [...valueCases].map(
    ([name, choices]) => `    --${name}) words="${[...choices].join(' ')}" ;;`,
  );
  const bash = `_irsa_audit() {
  local cur prev opts words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${names.join(' ')} --help --version" -- "$cur") )
    return
  fi
  words=""
  case "$prev" in
${values.join('\n')}
  esac
  if [ -n "$words" ]; then
    COMPREPLY=( $(compgen -W "$words" -- "\${cur##*,}") )
    return
  fi
  opts=""
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    help) opts="${names.join(' ')}" ;;
  esac
  if [[ "$cur" == -* || "\${COMP_WORDS[1]}" == help ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  fi
}
complete -o default -F _irsa_audit irsa-audit
`;
  if (shell === 'bash') return `# irsa-audit bash completion: source <(irsa-audit completion bash)\n${bash}`;
  return `#compdef irsa-audit\n# irsa-audit zsh completion: source <(irsa-audit completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}
