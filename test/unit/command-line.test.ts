import {readFileSync} from 'node:fs';

import {FAST_COMMANDS, parseFast} from '../../src/hot/gcauth.js';
import {type DeclaredCommand, parseCommandLine} from '../../src/lib/cli/command-line.js';
import type {AnyCommandSpec} from '../../src/lib/cli/command-spec.js';

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, unknown>};

const command: DeclaredCommand = {
  args: {project: {required: true}},
  flags: {
    member: {type: 'option', required: true},
    condition: {type: 'option', exclusive: ['condition-from-file']},
    'condition-from-file': {type: 'option'},
    quiet: {type: 'boolean', char: 'q'},
    verbosity: {type: 'option', options: ['debug', 'info']},
  },
};

/** The lean dispatcher's rule over a hand-written declaration: a line, or undefined to leave it to oclif. */
const lean = (declared: DeclaredCommand, argv: string[]) => parseFast({...declared, strict: declared.strict} as unknown as AnyCommandSpec, argv);

describe('parseCommandLine', () => {
  it('parses what oclif would: = and space forms, short booleans, positionals', () => {
    expect(parseCommandLine(command, ['p', '--member', 'user:a@x.com', '-q', '--verbosity=debug'])).toEqual({
      flags: {member: 'user:a@x.com', quiet: true, verbosity: 'debug'},
      args: {project: 'p'},
      argv: ['p'],
    });
  });

  it.each([
    ['help', ['p', '--member=m', '--help'], "Unknown option '--help'"],
    ['an unknown flag', ['p', '--member=m', '--nope'], "Unknown option '--nope'"],
    ['a repeated flag', ['p', '--member=a', '--member=b'], 'Flag --member can only be specified once'],
    ['a missing required flag', ['p'], 'argument --member: Must be specified.'],
    ['a missing required argument', ['--member=m'], 'argument PROJECT: Must be specified.'],
    ['too many arguments', ['p', 'q', '--member=m'], 'unrecognized arguments: q'],
    ['exclusive flags together', ['p', '--member=m', '--condition=None', '--condition-from-file=f'], '--condition cannot be used with --condition-from-file.'],
    ['a value outside the options', ['p', '--member=m', '--verbosity=loud'], "argument --verbosity: Invalid choice: 'loud'. Valid choices are [debug, info]."],
    ['a value missing', ['p', '--member'], "Option '--member <value>' argument missing"],
  ])('refuses %s in the words gcauth prints for oclif, and the lean dispatcher leaves it to oclif', (_name, argv, problem) => {
    expect(parseCommandLine(command, argv)).toMatchObject({problem});
    expect(lean(command, argv)).toBeUndefined();
  });

  it('the lean dispatcher leaves non-strict commands and multiple-valued flags to oclif; the parser takes them', () => {
    const variadic = {...command, strict: false};
    expect(lean(variadic, ['p', '--member=m'])).toBeUndefined();
    expect(parseCommandLine(variadic, ['p', 'q', '--member=m'])).toMatchObject({args: {project: 'p'}, argv: ['p', 'q']});
    const repeatable: DeclaredCommand = {...command, flags: {...command.flags, tag: {type: 'option', multiple: true}}};
    expect(lean(repeatable, ['p', '--member=m'])).toBeUndefined();
    expect(parseCommandLine(repeatable, ['p', '--member=m', '--tag=a', '--tag', 'b'])).toMatchObject({flags: {tag: ['a', 'b']}});
  });

  it('applies defaults, --no-NAME and integer bounds as oclif does', () => {
    const declared: DeclaredCommand = {args: {}, flags: {activate: {type: 'boolean', default: true, allowNo: true}, port: {type: 'integer', min: 1, max: 9}}};
    expect(parseCommandLine(declared, [])).toEqual({flags: {activate: true}, args: {}, argv: []});
    expect(parseCommandLine(declared, ['--no-activate', '--port=3'])).toEqual({flags: {activate: false, port: 3}, args: {}, argv: []});
    expect(parseCommandLine(declared, ['--port=10'])).toMatchObject({problem: expect.stringContaining('--port')});
  });

  it('an exclusive flag with a default is not "given" unless it was typed', () => {
    const declared: DeclaredCommand = {args: {}, flags: {gcloud: {type: 'boolean', default: false, exclusive: ['registry']}, registry: {type: 'boolean', default: false}}};
    expect(parseCommandLine(declared, ['--registry'])).toEqual({flags: {gcloud: false, registry: true}, args: {}, argv: []});
    expect(parseCommandLine(declared, ['--registry', '--gcloud'])).toEqual({problem: '--gcloud cannot be used with --registry.'});
  });
});

describe('the fast commands', () => {
  it.each(Object.keys(FAST_COMMANDS))('%s is a command of the manifest', (id) => {
    expect(manifest.commands[id]).toBeDefined();
  });

  it('parse a real add-iam-policy-binding line from its spec', async () => {
    const line = parseFast(await FAST_COMMANDS['projects:add-iam-policy-binding']!(), ['p', '--member=user:a@x.com', '--role=roles/viewer', '--dry-run', '--format=json']);
    expect(line).toEqual({flags: {member: 'user:a@x.com', role: 'roles/viewer', 'dry-run': true, format: 'json'}, args: {project: 'p'}, argv: ['p']});
  });
});
