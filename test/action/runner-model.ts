// A model of how the GitHub runner reads a step's stdout for workflow commands (actions/runner
// ActionCommand.TryParseV2 / TryParse and ActionCommandManager's stop-commands handling), written from
// their documented behaviour and made stricter where that is cheap: any command name counts, not only the
// registered ones, and any `##[` counts even without its closing `]`.
//
// The runner finds `::` and `##[` with .NET's culture-sensitive StartsWith/IndexOf, which (with ICU, on Linux
// and macOS runners) skip ignorable characters such as U+200D or U+00AD, but then reads the command name at a
// fixed offset (2 after the trimmed start, 3 after the `##[`). The model checks that too: a prefix spread out
// by ignorables counts when the text at the fixed offset could be a command name.

export interface ParsedCommand {
  /** The line as the runner saw it. */
  line: string;
  syntax: 'v2' | 'v1';
  name: string;
  properties: Record<string, string>;
  data: string;
}

/** .NET `StreamReader.ReadLine`: CR, LF and CRLF end a line. */
export function runnerLines(stdout: string): string[] {
  const lines = stdout.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

// .NET `char.IsWhiteSpace` (what `TrimStart` removes) together with what JS `trim` removes.
const BLANKS = /^[\s\u0085\u180E]*/u;

const unescapeData = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (text: string) =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

// What ICU's collation skips when matching (controls, format characters, default-ignorable code points).
const IGNORABLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const IGNORABLE_RUN = '[\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}]*';
// Registered command names are ASCII words with dashes; a name read at the fixed offset that could be one.
const COMMAND_NAME = /^[A-Za-z][\w-]*(?=[\s\]:]|$)/;

/** A command the culture-sensitive search would find although the ordinal one does not. */
function parseSpreadCommand(line: string, trimmed: string): ParsedCommand | undefined {
  const v2 = new RegExp(`^${IGNORABLE_RUN}:${IGNORABLE_RUN}:`, 'u');
  if (v2.test(trimmed) && IGNORABLE.test(trimmed.slice(0, 3))) {
    const name = COMMAND_NAME.exec(trimmed.slice(2))?.[0];
    if (name) return { line, syntax: 'v2', name: name.toLowerCase(), properties: {}, data: '' };
  }
  const v1 = new RegExp(`#${IGNORABLE_RUN}#${IGNORABLE_RUN}\\[`, 'gu');
  for (const match of line.matchAll(v1)) {
    const name = COMMAND_NAME.exec(line.slice(match.index + 3))?.[0];
    if (name) return { line, syntax: 'v1', name: name.toLowerCase(), properties: {}, data: '' };
  }
  return undefined;
}

/** The command a single line would be read as, or undefined. */
export function parseCommand(line: string): ParsedCommand | undefined {
  const trimmed = line.slice(BLANKS.exec(line)?.[0].length ?? 0);
  // The runner tries the v2 syntax first and the legacy one only when that fails.
  if (!trimmed.startsWith('::')) {
    const spread = parseSpreadCommand(line, trimmed);
    if (spread) return spread;
  } else {
    const end = trimmed.indexOf('::', 2);
    // Strict: a leading `::` without its closing `::` is flagged too (the runner would ignore it).
    const info = end < 0 ? trimmed.slice(2) : trimmed.slice(2, end);
    const space = info.indexOf(' ');
    const properties: Record<string, string> = {};
    if (space > 0) {
      for (const entry of info.slice(space + 1).split(',')) {
        const at = entry.indexOf('=');
        if (at > 0) properties[entry.slice(0, at).trim()] = unescapeProperty(entry.slice(at + 1));
      }
    }
    return {
      line,
      syntax: 'v2',
      name: (space < 0 ? info : info.slice(0, space)).toLowerCase(),
      properties,
      data: end < 0 ? '' : unescapeData(trimmed.slice(end + 2)),
    };
  }
  const legacy = line.indexOf('##[');
  if (legacy >= 0) {
    const info = line.slice(legacy + 3).split(']')[0] ?? '';
    return { line, syntax: 'v1', name: info.split(' ')[0]?.toLowerCase() ?? '', properties: {}, data: '' };
  }
  return undefined;
}

/**
 * Every command the runner would process in `stdout`, following `::stop-commands::TOKEN` … `::TOKEN::`:
 * inside such a block only the resume token counts.
 */
export function processedCommands(stdout: string): ParsedCommand[] {
  const processed: ParsedCommand[] = [];
  let stopToken: string | undefined;
  for (const line of runnerLines(stdout)) {
    const command = parseCommand(line);
    if (!command) continue;
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) {
        processed.push(command);
        stopToken = undefined;
      }
      continue;
    }
    processed.push(command);
    if (command.name === 'stop-commands') stopToken = command.data;
  }
  return processed;
}

/** Commands the action itself writes: annotations, debug lines, log groups and its own stop-commands blocks. */
const OWN_COMMANDS = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup']);
const OWN_PROPERTIES = new Set(['file', 'line', 'col', 'title']);

/**
 * Commands in `stdout` that the action did not mean to write: any other command name, a property it never
 * sets, or a stop-commands block that is not its own (token `neo-<hex>`) or is never resumed.
 */
export function foreignCommands(stdout: string): ParsedCommand[] {
  const foreign: ParsedCommand[] = [];
  let openToken: string | undefined;
  for (const command of processedCommands(stdout)) {
    if (openToken !== undefined && command.name === openToken) {
      openToken = undefined;
      continue;
    }
    if (command.name === 'stop-commands' && /^neo-[0-9a-f]{32}$/.test(command.data)) {
      openToken = command.data;
      continue;
    }
    const ownProperties = Object.keys(command.properties).every((key) => OWN_PROPERTIES.has(key));
    if (command.syntax !== 'v2' || !OWN_COMMANDS.has(command.name) || !ownProperties) foreign.push(command);
  }
  if (openToken !== undefined)
    foreign.push({
      line: '(unclosed stop-commands)',
      syntax: 'v2',
      name: 'stop-commands',
      properties: {},
      data: openToken,
    });
  return foreign;
}
