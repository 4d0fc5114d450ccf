/**
 * A command is defined once: the entry points that share a command take the same command line. oclif's
 * (the committed manifest, generated from the classes that specCommand builds), the lean dispatcher's
 * (FAST_COMMANDS' specs with the global flags) and the standalone helper's (helperCommandLine).
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

import {FAST_COMMANDS, parseFast} from '../../src/hot/gcauth.js';
import {type DeclaredCommand, type DeclaredFlag, isProblem, parseCommandLine} from '../../src/lib/cli/command-line.js';
import {type AnyCommandSpec, type FlagsSpec, GLOBAL_FLAGS, printSpecResult, renderSpecResult} from '../../src/lib/cli/command-spec.js';
import {CLI_BIN} from '../../src/lib/cli/completion.js';
import type {AppContext} from '../../src/lib/context.js';
import {listedNothing, parseFormat} from '../../src/lib/output/format.js';
import {helperCommandLine} from '../../src/lib/docker/helper-commands.js';
import {configureDockerSpec} from '../../src/lib/specs/auth/configure-docker.js';

interface ManifestFlag extends Record<string, unknown> {
  name: string;
  type: 'boolean' | 'option';
}
interface ManifestCommand {
  flags: Record<string, ManifestFlag>;
  args: Record<string, {name: string; description?: string; required?: boolean; options?: string[]}>;
  strict?: boolean;
}

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, ManifestCommand>};

/** What a flag means to a parser and to help, in one comparable shape (oclif's integer flags are `option` in the manifest). */
function meaning(flag: Record<string, unknown>) {
  const pick = (key: string) => (flag[key] === undefined || flag[key] === false ? {} : {[key]: Array.isArray(flag[key]) ? [...(flag[key] as unknown[])] : flag[key]});
  return {
    type: flag.type === 'boolean' ? 'boolean' : 'option',
    ...['char', 'required', 'multiple', 'exclusive', 'options', 'description', 'default', 'allowNo', 'hidden', 'helpGroup'].reduce((acc, key) => ({...acc, ...pick(key)}), {}),
  };
}
const meanings = (flags: object) => Object.fromEntries(Object.entries(flags as Record<string, Record<string, unknown>>).map(([name, flag]) => [name, meaning(flag)]));
const specFlags = (spec: AnyCommandSpec): FlagsSpec => ({...GLOBAL_FLAGS, ...(spec.flags as FlagsSpec)});

/** A command line giving `flag` alone (with a value it accepts), plus what the command requires. */
function lineWith(command: DeclaredCommand, name: string, flag: DeclaredFlag): string[] {
  const required = Object.entries(command.flags)
    .filter(([other, f]) => f.required && other !== name)
    .flatMap(([other]) => [`--${other}=x`]);
  const args = Object.values(command.args).flatMap((a) => (a.required ? ['arg'] : []));
  const given = flag.type === 'boolean' ? [`--${name}`] : [`--${name}=${flag.options?.[0] ?? (flag.type === 'integer' ? '1' : 'x')}`];
  return [...args, ...required, ...given];
}

describe('the lean dispatcher and oclif', () => {
  it.each(Object.keys(FAST_COMMANDS))("%s: the manifest's flags and args are the spec's, with the global flags", async (id) => {
    const spec = await FAST_COMMANDS[id]!();
    const entry = manifest.commands[id]!;
    expect(meanings(entry.flags)).toEqual(meanings(specFlags(spec)));
    expect(Object.fromEntries(Object.entries(entry.args).map(([name, a]) => [name, {description: a.description, required: a.required ?? false}]))).toEqual(
      Object.fromEntries(Object.entries(spec.args as Record<string, {description: string; required?: boolean}>).map(([name, a]) => [name, {description: a.description, required: a.required ?? false}])),
    );
    expect(entry.strict ?? true).toBe(spec.strict ?? true);
  });

  it.each(Object.keys(FAST_COMMANDS))('%s: the lean dispatcher takes every flag of the manifest', async (id) => {
    const spec = await FAST_COMMANDS[id]!();
    const declared = {flags: manifest.commands[id]!.flags as unknown as Record<string, DeclaredFlag>, args: spec.args};
    for (const [name, flag] of Object.entries(declared.flags)) {
      const argv = lineWith(declared, name, flag);
      expect([name, parseFast(spec, argv)]).toEqual([name, expect.objectContaining({flags: expect.objectContaining({[name]: expect.anything()})})]);
    }
  });
});

describe('configure-docker: the helper and oclif', () => {
  const helper = helperCommandLine('configure-docker')!;
  const oclif = manifest.commands['auth:configure-docker']!;

  it('declare the same flags, with the same meaning, and the same arguments', () => {
    expect(meanings(helper.flags)).toEqual(meanings(oclif.flags));
    expect(Object.keys(helper.args)).toEqual(Object.keys(oclif.args));
    expect(helper.strict).toBe(oclif.strict);
  });

  it.each(Object.entries(oclif.flags))('the helper accepts --%s, as oclif declares it', (name, flag) => {
    const line = parseCommandLine(helper, lineWith(helper, name, {...flag, type: flag.type} as DeclaredFlag));
    expect(isProblem(line) ? line.problem : line.flags[name]).not.toBeUndefined();
    expect(isProblem(line)).toBe(false);
  });

  it.each(Object.entries(helper.flags))('oclif declares --%s, which the helper accepts', (name) => {
    expect(oclif.flags[name]).toBeDefined();
  });

  it('both refuse --overwrite with --remove, declared once (exclusive on the spec), in the same words', () => {
    expect(configureDockerSpec.flags.overwrite.exclusive).toEqual(['remove']);
    expect(parseCommandLine(helper, ['--overwrite', '--remove'])).toEqual({problem: '--overwrite cannot be used with --remove.'});
  });

  it('REGISTRIES bare and as --registries make the same options', () => {
    const options = (argv: string[]) => {
      const line = parseCommandLine(helper, argv);
      if (isProblem(line)) throw new Error(line.problem);
      return configureDockerSpec.options(line as Parameters<typeof configureDockerSpec.options>[0]);
    };
    expect(options(['--registries=gcr.io', 'us.gcr.io', '--registries', 'eu.gcr.io'])).toEqual(options(['gcr.io,eu.gcr.io', 'us.gcr.io']));
    expect(options(['--registries=gcr.io', 'us.gcr.io']).registries).toBe('gcr.io,us.gcr.io');
  });
});

describe('renderSpecResult, the one rendering of a spec result for every entry point', () => {
  it('prints nothing for a core that returns nothing, whatever --format says; else --format or the human rendering', async () => {
    const spec = {human: (r: {token: string} | undefined) => `${r!.token}\n`};
    expect(await renderSpecResult(spec, undefined, parseFormat('json'))).toBe('');
    expect(await renderSpecResult(spec, {token: 't'}, parseFormat(undefined))).toBe('t\n');
    expect(await renderSpecResult(spec, {token: 't'}, parseFormat('json'))).toBe('{\n  "token": "t"\n}\n');
  });
});

describe('printSpecResult, what every entry point prints of a result', () => {
  const io = () => {
    const out = {stdout: '', stderr: ''};
    const ctx = {io: {stdout: {write: (t: string) => (out.stdout += t)}, stderr: {write: (t: string) => (out.stderr += t)}}} as unknown as AppContext;
    return {out, ctx};
  };
  const list = {human: (rows: string[]) => rows.map((r) => `${r}\n`).join(''), epilog: listedNothing};

  it('prints the result on stdout, then the epilog, which sees the format, on stderr', async () => {
    for (const [rows, format, stdout, stderr] of [
      [[], undefined, '', 'Listed 0 items.\n'],
      [[], 'json', '[]\n', ''],
      [['a'], undefined, 'a\n', ''],
    ] as const) {
      const {out, ctx} = io();
      expect(await printSpecResult(list, [...rows], parseFormat(format), ctx)).toBe(0);
      expect(out).toEqual({stdout, stderr});
    }
  });

  it("returns the exit status the spec's exitCode gives the result", async () => {
    const {out, ctx} = io();
    expect(await printSpecResult({human: String, exitCode: (r: string) => (r === 'fail' ? 1 : 0)}, 'fail', parseFormat(undefined), ctx)).toBe(1);
    expect(out.stdout).toBe('fail');
  });
});

describe('every command is one spec', () => {
  const commandsDir = new URL('../../src/commands/', import.meta.url).pathname;
  const files = (dir: string): string[] =>
    readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));

  it.each(files(commandsDir).map((f) => path.relative(commandsDir, f)))('%s is a class over a spec (specCommand)', (file) => {
    expect(readFileSync(path.join(commandsDir, file), 'utf8')).toMatch(/^export default class \w+ extends specCommand\(\w+\) \{\}$/m);
  });

  it("the bin autocomplete completes is package.json's", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {oclif: {bin: string}};
    expect(CLI_BIN).toBe(pkg.oclif.bin);
  });
});
