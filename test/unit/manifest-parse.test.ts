import {readFileSync} from 'node:fs';

import {FAST_COMMANDS} from '../../src/hot/gcauth.js';
import {type ManifestCommand, parseWithManifest} from '../../src/hot/manifest-parse.js';

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, ManifestCommand>};

const command: ManifestCommand = {
  args: {project: {name: 'project', required: true}},
  flags: {
    member: {name: 'member', type: 'option', required: true},
    condition: {name: 'condition', type: 'option', exclusive: ['condition-from-file']},
    'condition-from-file': {name: 'condition-from-file', type: 'option'},
    quiet: {name: 'quiet', type: 'boolean', char: 'q'},
    verbosity: {name: 'verbosity', type: 'option', options: ['debug', 'info']},
  },
};

describe('parseWithManifest', () => {
  it('parses what oclif would: = and space forms, short booleans, positionals', () => {
    expect(parseWithManifest(command, ['p', '--member', 'user:a@x.com', '-q', '--verbosity=debug'])).toEqual({
      flags: {member: 'user:a@x.com', quiet: true, verbosity: 'debug'},
      args: ['p'],
    });
  });

  it.each([
    ['help', ['p', '--member=m', '--help']],
    ['an unknown flag', ['p', '--member=m', '--nope']],
    ['a repeated flag', ['p', '--member=a', '--member=b']],
    ['a missing required flag', ['p']],
    ['a missing required argument', ['--member=m']],
    ['too many arguments', ['p', 'q', '--member=m']],
    ['exclusive flags together', ['p', '--member=m', '--condition=None', '--condition-from-file=f']],
    ['a value outside the options', ['p', '--member=m', '--verbosity=loud']],
    ['a value missing', ['p', '--member']],
  ])('leaves %s to oclif', (_name, argv) => {
    expect(parseWithManifest(command, argv)).toBeUndefined();
  });

  it('leaves non-strict commands and multiple-valued flags to oclif', () => {
    expect(parseWithManifest({...command, strict: false}, ['p', '--member=m'])).toBeUndefined();
    expect(parseWithManifest({...command, flags: {...command.flags, tag: {name: 'tag', type: 'option', multiple: true}}}, ['p', '--member=m'])).toBeUndefined();
  });
});

describe('the fast commands', () => {
  it.each(Object.keys(FAST_COMMANDS))('%s is a command of the manifest', (id) => {
    expect(manifest.commands[id]).toBeDefined();
  });

  it('parse a real add-iam-policy-binding line from the committed manifest', () => {
    const line = parseWithManifest(manifest.commands['projects:add-iam-policy-binding']!, ['p', '--member=user:a@x.com', '--role=roles/viewer', '--dry-run', '--format=json']);
    expect(line).toEqual({flags: {member: 'user:a@x.com', role: 'roles/viewer', 'dry-run': true, format: 'json'}, args: ['p']});
  });
});
