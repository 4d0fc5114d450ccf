// Writes docs/commands.md, the full command reference, from oclif.manifest.json: the file the installed CLI
// reads for help, so the reference says what `gcauth help COMMAND` says and cannot restate it by hand.
// Usage: node scripts/commands-doc.js [--check]   (--check writes nothing and exits 1 when docs/commands.md is stale)
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'docs', 'commands.md');

const bin = 'gcauth';
const spaced = (id) => id.replaceAll(':', ' ');
const anchor = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replaceAll(' ', '-');
// Text inside a Markdown table cell: no line breaks, no column separators.
const cell = (text) => String(text ?? '').replaceAll('\n', ' ').replaceAll('|', '\\|');
const topicOf = (command) => (command.id.includes(':') ? command.id.slice(0, command.id.lastIndexOf(':')) : '');
const example = (text) => text.replaceAll('<%= config.bin %>', bin);

function flagName(flag) {
  const long = flag.allowNo ? `--[no-]${flag.name}` : `--${flag.name}`;
  const value = flag.type === 'option' ? `=${flag.options ? flag.options.join('|') : 'VALUE'}` : '';
  return `${flag.char ? `-${flag.char}, ` : ''}${long}${value}`;
}

function argUsage(arg, last, strict) {
  const name = `${arg.name.toUpperCase()}${last && !strict ? '...' : ''}`;
  return arg.required ? name : `[${name}]`;
}

function usage(command) {
  const args = Object.values(command.args);
  const parts = [`${bin} ${spaced(command.id)}`];
  args.forEach((arg, i) => parts.push(argUsage(arg, i === args.length - 1, command.strict !== false)));
  for (const flag of Object.values(command.flags)) {
    if (flag.required && !flag.hidden) parts.push(`--${flag.name}=${flag.options ? flag.options.join('|') : 'VALUE'}`);
  }
  if (Object.values(command.flags).some((flag) => !flag.required && !flag.hidden && flag.helpGroup !== 'GLOBAL')) parts.push('[FLAGS]');
  return parts.join(' ');
}

function flagRows(flags) {
  return flags.map((flag) => {
    const notes = [];
    if (flag.required) notes.push('required');
    if (flag.default !== undefined) notes.push(`default: ${flag.default}`);
    if (flag.exclusive?.length) notes.push(`not with ${flag.exclusive.map((name) => `--${name}`).join(', ')}`);
    const description = `${cell(flag.description)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    return `| \`${cell(flagName(flag))}\` | ${description} |`;
  });
}

/** The reference's Markdown, from a parsed manifest and package.json's oclif topics. */
export function renderCommandsDoc(manifest, topics) {
  // Grouped by topic (the commands of `auth` before those of `auth application-default`), then by id; the
  // commands of no topic (autocomplete, doctor) last.
  const sortKey = (command) => `${topicOf(command) || '~'}\u0000${command.id}`;
  const commands = Object.values(manifest.commands)
    .filter((command) => !command.hidden)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const lines = [
    '# gcauth command reference',
    '',
    '<!-- Generated from oclif.manifest.json by `npm run docs` (scripts/commands-doc.js); do not edit by hand. -->',
    '',
    `Every command of \`${bin}\`, as \`${bin} help COMMAND\` prints it. The user guide is the [README](../README.md);`,
    "the Docker credential helper's own actions are under `docker-credential-gcauth help`.",
    '',
  ];

  const globalFlags = commands.flatMap((command) => Object.values(command.flags)).filter((flag) => flag.helpGroup === 'GLOBAL');
  const seen = new Set();
  const globals = globalFlags.filter((flag) => !seen.has(flag.name) && seen.add(flag.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  lines.push('## Global flags', '', 'Every command below takes these too.', '', '| flag | |', '|---|---|', ...flagRows(globals), '');

  lines.push('## Commands', '');
  let topic;
  for (const command of commands) {
    const head = topicOf(command);
    if (head !== topic) {
      topic = head;
      const about = topics[head]?.description;
      if (head) lines.push('', `**${bin} ${spaced(head)}**${about ? `: ${about}` : ''}`, '');
      else lines.push('', '**Other commands**', '');
    }
    const title = `${bin} ${spaced(command.id)}`;
    lines.push(`- [\`${title}\`](#${anchor(title)}): ${cell(command.summary)}`);
  }
  lines.push('');

  for (const command of commands) {
    const title = `${bin} ${spaced(command.id)}`;
    lines.push(`## ${title}`, '', command.summary ?? '', '', '```', usage(command), '```', '');
    if (command.description) lines.push(command.description, '');
    const args = Object.values(command.args);
    if (args.length) {
      lines.push('| argument | |', '|---|---|');
      args.forEach((arg, i) => {
        const options = arg.options ? ` (one of: ${arg.options.join(', ')})` : '';
        lines.push(`| \`${cell(argUsage(arg, i === args.length - 1, command.strict !== false))}\` | ${cell(arg.description)}${options} |`);
      });
      lines.push('');
    }
    const own = Object.values(command.flags).filter((flag) => flag.helpGroup !== 'GLOBAL' && !flag.hidden);
    if (own.length) lines.push('| flag | |', '|---|---|', ...flagRows(own), '');
    if (command.examples?.length) lines.push('```sh', ...command.examples.map(example), '```', '');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Renders the committed manifest as docs/commands.md would hold it. */
export function currentCommandsDoc() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return renderCommandsDoc(manifest, pkg.oclif?.topics ?? {});
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = currentCommandsDoc();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch {
      // A missing file is as stale as a wrong one.
    }
    if (committed !== text) {
      process.stderr.write('docs/commands.md is stale: run npm run docs (npm run build does it too) and commit it.\n');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
  }
}
