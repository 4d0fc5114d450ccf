/**
 * `gcauth autocomplete`: the printed scripts run in a real bash and a real zsh (COMP_WORDS/COMP_CWORD and
 * COMPREPLY in bash; words/CURRENT with compadd recorded in zsh) against the built CLI's `__complete`,
 * in a config dir with two accounts and two configurations.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {runCli} from '../helpers/cli.js';
import {cliBin, tmpDir} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

const dir = tmpDir('gcauth-completion-');
const config = path.join(dir, 'config');
const bin = path.join(dir, 'bin');
mkdirSync(path.join(config, 'configurations'), {recursive: true});
writeFileSync(path.join(config, 'configurations', 'config_default'), '');
writeFileSync(path.join(config, 'configurations', 'config_dev'), '[core]\nproject = p\n');
writeFileSync(path.join(config, 'credentials.json'), JSON.stringify({version: 1, credentials: {'ci@p.iam.gserviceaccount.com': {}, 'me@example.com': {}}}));
mkdirSync(bin);
symlinkSync(cliBin, path.join(bin, 'gcauth'));
const env = {PATH: `${bin}:${process.env.PATH}`, GCAUTH_CONFIG: config, HOME: dir, NO_COLOR: '1'};

const script = (shell: 'bash' | 'zsh') => execFileSync(process.execPath, [cliBin, 'autocomplete', shell], {env, encoding: 'utf8'});

/** The words bash makes of a line: split at blanks, then at its COMP_WORDBREAKS (`=`, `@`, `:` among them). */
function bashWords(line: string): string[] {
  const words = line.split(/\s+/).filter(Boolean).flatMap((w) => w.split(/([=@:]+)/).filter(Boolean));
  if (/\s$/.test(line)) words.push('');
  return words;
}

function bashComplete(line: string): string[] {
  const words = bashWords(line);
  const program = [
    'source "$SCRIPT"',
    `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
    '_gcauth_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {env: {...env, SCRIPT: scriptFile('bash')}, encoding: 'utf8'});
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

const files: Record<string, string> = {};
function scriptFile(shell: 'bash' | 'zsh'): string {
  files[shell] ??= (() => {
    const file = path.join(dir, `completion.${shell}`);
    writeFileSync(file, script(shell));
    return file;
  })();
  return files[shell]!;
}

describe('gcauth autocomplete', () => {
  test('prints the script on stdout and how to install it on stderr', async () => {
    const result = await runCli(['autocomplete', 'bash'], {env});
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^# gcauth completion for bash/);
    expect(result.stdout).toContain('complete -F _gcauth_complete gcauth');
    expect(result.stderr).toMatch(/^To install gcauth's bash completion/);
    expect((await runCli(['autocomplete', 'fish'], {env})).stderr).toBe("ERROR: Invalid choice: 'fish'. Valid choices are [bash, zsh].\n");
    expect((await runCli(['autocomplete'], {env: {...env, SHELL: '/usr/bin/zsh'}})).stdout).toMatch(/^#compdef gcauth\n/);
  });
});

describe('the bash script in a real bash', () => {
  test.each([
    ['gcauth au', ['auth', 'autocomplete']],
    ['gcauth auth application-default pr', ['print-access-token']],
    ['gcauth config configurations ', ['activate', 'create', 'delete', 'describe', 'list']],
    ['gcauth auth list --form', ['--format=']],
    ['gcauth auth list --verbosity=de', ['debug']],
    ['gcauth config get core/acc', ['core/account']],
    ['gcauth config set proj', ['project']],
    ['gcauth config set proxy/p', ['proxy/port', 'proxy/password']],
    ['gcauth config set account ', ['ci@p.iam.gserviceaccount.com', 'me@example.com']],
    ['gcauth config configurations activate ', ['default', 'dev']],
    ['gcauth auth list --configuration=d', ['default', 'dev']],
    ['gcauth auth list --configuration ', ['default', 'dev']],
    ['gcauth auth revoke m', ['me@example.com']],
    ['gcauth auth revoke me@example.com ', ['ci@p.iam.gserviceaccount.com']],
    // bash splits `--account=me@ex` into --account, =, me, @, ex: only the last part is replaced.
    ['gcauth auth print-access-token --account=me@ex', ['example.com']],
    ['gcauth auth print-access-token --account=', ['=ci@p.iam.gserviceaccount.com', '=me@example.com']],
    ['gcauth nothing-like-this ', []],
  ])('%j → %j', (line, expected) => {
    expect(bashComplete(line)).toEqual(expected);
  });
});

const zsh = spawnSync('zsh', ['--version']).status === 0;
if (!zsh) sayWhySkipped('zsh completion tests skipped: zsh is not installed (apt-get install zsh)');

(zsh ? describe : describe.skip)('the zsh script in a real zsh', () => {
  // compadd and compdef exist only inside zsh's completion system: record what the script hands them.
  function zshComplete(line: string): string[] {
    const words = line.split(/\s+/).filter(Boolean);
    if (/\s$/.test(line)) words.push('');
    const program = [
      'compdef() { :; }',
      'compadd() { while [[ "$1" == -* && "$1" != -- ]]; do [[ "$1" == -S ]] && shift; shift; done; shift; print -l -- "$@"; }',
      'source "$SCRIPT"',
      `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}`,
      '_gcauth',
    ].join('\n');
    const result = spawnSync('zsh', ['-f', '-c', program], {env: {...env, SCRIPT: scriptFile('zsh')}, encoding: 'utf8'});
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  }

  test.each([
    ['gcauth au', ['auth', 'autocomplete']],
    ['gcauth auth list --form', ['--format=']],
    ['gcauth config set account ', ['ci@p.iam.gserviceaccount.com', 'me@example.com']],
    ['gcauth auth list --account=me', ['--account=me@example.com']],
    ['gcauth config configurations delete d', ['default', 'dev']],
  ])('%j → %j', (line, expected) => {
    expect(zshComplete(line)).toEqual(expected);
  });

  test('the script parses as zsh', () => {
    expect(spawnSync('zsh', ['-n', scriptFile('zsh')]).status).toBe(0);
  });
});
