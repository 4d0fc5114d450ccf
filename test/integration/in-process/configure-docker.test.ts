/** auth configure-docker through oclif's parser against a fake context: Docker's config in a temp DOCKER_CONFIG, a PATH of fakes. */
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import ConfigureDocker from '../../../src/commands/auth/configure-docker.js';
import {dockerVersionWarning, requestedHosts} from '../../../src/lib/docker/configure.js';
import {ARTIFACT_REGISTRY_HOSTS, GCR_DEFAULT_HOSTS} from '../../../src/lib/docker/registries.js';
import {UsageError} from '../../../src/lib/errors.js';
import {scriptedPrompter} from '../../helpers/context.js';
import {repoRoot} from '../../helpers/emulator.js';
import {snapshot} from '../../helpers/fs.js';
import {runCommand} from '../../helpers/run-command.js';

let dir: string;
let configDir: string;
let dockerDir: string;
let bin: string;
let configFile: string;

/** An executable sh script in the fake PATH. */
function fakeTool(name: string, script: string): void {
  writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`);
  chmodSync(path.join(bin, name), 0o755);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-configure-docker-'));
  configDir = path.join(dir, 'gcauth');
  dockerDir = path.join(dir, 'docker');
  configFile = path.join(dockerDir, 'config.json');
  bin = path.join(dir, 'bin');
  mkdirSync(bin);
  // A current docker (which, like the real one without a daemon, exits 1 after printing its version) and the helper.
  fakeTool('docker', 'echo 28.2.2; echo "Cannot connect to the Docker daemon" >&2; exit 1');
  fakeTool('docker-credential-gcauth', 'exit 0');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const env = (extra: Record<string, string> = {}) => ({DOCKER_CONFIG: dockerDir, PATH: bin, ...extra});
const run = (argv: string[], options: {env?: Record<string, string>; interactive?: boolean; answers?: boolean[]} = {}) => {
  const prompter = scriptedPrompter(options.answers ?? []);
  return runCommand(ConfigureDocker, argv, {configDir, env: options.env ?? env(), interactive: options.interactive, prompter}).then((r) => ({...r, asked: prompter.asked}));
};
const seed = (text: string, mode = 0o600) => {
  mkdirSync(dockerDir, {recursive: true});
  writeFileSync(configFile, text, {mode});
  chmodSync(configFile, mode);
};
const written = () => readFileSync(configFile, 'utf8');
const gcauthConfig = () => readFileSync(path.join(configDir, 'configurations', 'config_default'), 'utf8');

const DEFAULTS_JSON = `{
\t"credHelpers": {
\t\t"gcr.io": "gcauth",
\t\t"us.gcr.io": "gcauth",
\t\t"eu.gcr.io": "gcauth",
\t\t"asia.gcr.io": "gcauth",
\t\t"staging-k8s.gcr.io": "gcauth",
\t\t"marketplace.gcr.io": "gcauth"
\t}
}
`;

const OTHERS = `{
  "auths": {
    "https://index.docker.io/v1/": {
      "auth": "dXNlcjpwYXNz"
    }
  },
  "credsStore": "desktop",
  "credHelpers": {
    "123456789.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",
    "us.gcr.io": "gcr"
  },
  "x-custom": [1, 2]
}`;

describe('auth configure-docker', () => {
  test("with no config: the gcloud default hosts, a diff on stderr, nothing on stdout; 0600 file in a 0700 dir", async () => {
    expect(await run([])).toEqual({
      stdout: '',
      stderr:
        `--- /dev/null\n+++ ${configFile}\n@@ -0,0 +1,10 @@\n` +
        DEFAULTS_JSON.split('\n')
          .filter(Boolean)
          .map((l) => `+${l}\n`)
          .join('') +
        `Docker now runs docker-credential-gcauth for gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, staging-k8s.gcr.io, marketplace.gcr.io (${configFile}).\n`,
      code: 0,
      asked: [],
    });
    expect(written()).toBe(DEFAULTS_JSON);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(statSync(dockerDir).mode & 0o777).toBe(0o700);
    // Only Google hosts: docker/registries is not touched.
    expect(existsSync(path.join(configDir, 'configurations'))).toBe(false);
  });

  test('without DOCKER_CONFIG, ~/.docker/config.json', async () => {
    const result = await run([], {env: {PATH: bin}});
    expect(result.code).toBe(0);
    // fakeContext's home directory is its config dir.
    expect(readFileSync(path.join(configDir, '.docker', 'config.json'), 'utf8')).toBe(DEFAULTS_JSON);
  });

  test('says so when nothing needs changing, and leaves the file alone', async () => {
    seed(DEFAULTS_JSON, 0o644);
    const before = statSync(configFile).mtimeMs;
    expect(await run([])).toMatchObject({
      stdout: '',
      stderr: `Docker already uses gcauth for gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, staging-k8s.gcr.io, marketplace.gcr.io (${configFile}); nothing to change.\n`,
      code: 0,
    });
    expect(statSync(configFile).mtimeMs).toBe(before);
  });

  test('keeps every other key, value and their order, and the file mode; only credHelpers grows', async () => {
    seed(OTHERS, 0o644);
    const result = await run(['gcr.io,us-docker.pkg.dev']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(written()).toBe(`{
  "auths": {
    "https://index.docker.io/v1/": {
      "auth": "dXNlcjpwYXNz"
    }
  },
  "credsStore": "desktop",
  "credHelpers": {
    "123456789.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",
    "us.gcr.io": "gcr",
    "gcr.io": "gcauth",
    "us-docker.pkg.dev": "gcauth"
  },
  "x-custom": [
    1,
    2
  ]
}`);
    expect(statSync(configFile).mode & 0o777).toBe(0o644);
    expect(result.stderr).toContain('+    "us-docker.pkg.dev": "gcauth"\n');
  });

  describe('a host another helper serves', () => {
    test('without a terminal: refused, naming --overwrite; nothing changes anywhere', async () => {
      seed(OTHERS);
      const before = snapshot(dir);
      expect(await run([])).toEqual({
        stdout: '',
        stderr:
          'ERROR: us.gcr.io is served by docker-credential-gcr. Pass --overwrite to send it to gcauth instead, or name other REGISTRIES. Nothing was changed.\n',
        code: 2,
        asked: [],
      });
      expect(snapshot(dir)).toEqual(before);
    });

    test('with --overwrite: replaced without a question', async () => {
      seed(OTHERS);
      const result = await run(['us.gcr.io', '--overwrite']);
      expect(result).toMatchObject({code: 0, asked: []});
      expect(result.stderr).toContain('-    "us.gcr.io": "gcr"\n+    "us.gcr.io": "gcauth"\n');
      expect(JSON.parse(written()).credHelpers).toEqual({'123456789.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'us.gcr.io': 'gcauth'});
    });

    test('on a terminal: one question that names the replacement; yes writes', async () => {
      seed(OTHERS);
      const result = await run(['us.gcr.io'], {interactive: true, answers: [true]});
      expect(result.asked).toEqual(['Replace the credential helper of us.gcr.io with gcauth and write these changes?']);
      expect(result.code).toBe(0);
      expect(JSON.parse(written()).credHelpers['us.gcr.io']).toBe('gcauth');
    });

    test('on a terminal with --quiet: no question, so --overwrite is needed', async () => {
      seed(OTHERS);
      const before = snapshot(dir);
      const result = await run(['us.gcr.io', '-q'], {interactive: true});
      expect(result).toMatchObject({code: 2, asked: []});
      expect(result.stderr).toMatch(/^ERROR: us\.gcr\.io is served by docker-credential-gcr\. Pass --overwrite/);
      expect(snapshot(dir)).toEqual(before);
    });

    test("an empty entry (Docker's file store) counts as another helper", async () => {
      seed('{"credHelpers": {"gcr.io": ""}}');
      expect((await run(['gcr.io'])).stderr).toBe(
        "ERROR: gcr.io is served by Docker's own file store (an empty entry). Pass --overwrite to send it to gcauth instead, or name other REGISTRIES. Nothing was changed.\n",
      );
    });
  });

  describe('on a terminal, one question before writing', () => {
    test('yes writes', async () => {
      const result = await run(['gcr.io'], {interactive: true, answers: [true]});
      expect(result.asked).toEqual(['Do you want to continue?']);
      expect(result.code).toBe(0);
      expect(JSON.parse(written())).toEqual({credHelpers: {'gcr.io': 'gcauth'}});
    });

    test('no writes nothing: exit 130', async () => {
      seed('{}');
      const before = snapshot(dir);
      const result = await run(['gcr.io'], {interactive: true, answers: [false]});
      expect(result).toMatchObject({code: 130, stdout: ''});
      expect(result.stderr).toMatch(/\+\t"credHelpers": \{\n[\s\S]*ERROR: Aborted: nothing was changed\.\n$/);
      expect(snapshot(dir)).toEqual(before);
    });

    test('-q skips the question', async () => {
      expect(await run(['gcr.io', '-q'], {interactive: true})).toMatchObject({code: 0, asked: []});
      expect(JSON.parse(written())).toEqual({credHelpers: {'gcr.io': 'gcauth'}});
    });
  });

  describe('another process edits the files while the question is open', () => {
    /** Runs with a terminal; the answer is yes, given after `meanwhile` has changed the files. */
    const runAnswering = async (argv: string[], meanwhile: () => void) => {
      const prompter = scriptedPrompter([true]);
      const confirm = prompter.confirm.bind(prompter);
      prompter.confirm = async (message, options) => {
        meanwhile();
        return confirm(message, options);
      };
      return runCommand(ConfigureDocker, argv, {configDir, env: env(), interactive: true, prompter});
    };

    test("its entries are kept: the write starts from the files as they are then, not as first read", async () => {
      seed('{\n  "credHelpers": {"a.example.com": "gcauth"}\n}\n');
      const result = await runAnswering(['b.example.com'], () => {
        seed('{\n  "credHelpers": {"a.example.com": "gcauth", "c.example.com": "ecr-login"}\n}\n');
        mkdirSync(path.join(configDir, 'configurations'), {recursive: true});
        writeFileSync(path.join(configDir, 'configurations', 'config_default'), '[docker]\nregistries = a.example.com,c.example.com\n');
      });
      expect(result).toMatchObject({code: 0, stderr: expect.not.stringContaining('ERROR')});
      expect(JSON.parse(written()).credHelpers).toEqual({'a.example.com': 'gcauth', 'c.example.com': 'ecr-login', 'b.example.com': 'gcauth'});
      expect(gcauthConfig()).toBe('[docker]\nregistries = a.example.com,c.example.com,b.example.com\n');
      expect(readdirSync(dockerDir)).toEqual(['config.json']);
    });

    test('a host it gave to another helper is not taken without --overwrite: nothing is written', async () => {
      seed('{}');
      const result = await runAnswering(['gcr.io'], () => seed('{"credHelpers": {"gcr.io": "gcr"}}'));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/\nERROR: gcr\.io is served by docker-credential-gcr\. Pass --overwrite .* Nothing was changed\.\n$/);
      expect(written()).toBe('{"credHelpers": {"gcr.io": "gcr"}}');
      expect(readdirSync(dockerDir)).toEqual(['config.json']);
    });
  });

  test('--dry-run prints the diff only, even with hosts another helper serves', async () => {
    seed(OTHERS);
    const before = snapshot(dir);
    const result = await run(['--dry-run', 'us.gcr.io,127.0.0.1:5000'], {interactive: true});
    expect(result).toMatchObject({code: 0, stdout: '', asked: []});
    expect(result.stderr).toBe(
      [
        `--- ${configFile}`,
        `+++ ${configFile}`,
        '@@ -7,7 +7,11 @@',
        '   "credsStore": "desktop",',
        '   "credHelpers": {',
        '     "123456789.dkr.ecr.us-east-1.amazonaws.com": "ecr-login",',
        '-    "us.gcr.io": "gcr"',
        '+    "us.gcr.io": "gcauth",',
        '+    "127.0.0.1:5000": "gcauth"',
        '   },',
        '-  "x-custom": [1, 2]',
        '+  "x-custom": [',
        '+    1,',
        '+    2',
        '+  ]',
        ' }',
        'gcauth configuration [default]: docker/registries (unset) -> 127.0.0.1:5000',
        'Replacing the helper of us.gcr.io needs --overwrite, or a yes on a terminal.',
        'Dry run: nothing was written.',
        '',
      ].join('\n'),
    );
    expect(snapshot(dir)).toEqual(before);
  });

  test('a file too large for a line diff: a summary of the credHelpers keys changed instead, then the same write', async () => {
    // 30k entries laid out as gcauth writes them: 60k lines before and after, beyond the diff's bound.
    const others = Object.fromEntries(Array.from({length: 30_000}, (_, i) => [`registry-${i}.example.com`, 'ecr-login']));
    seed(JSON.stringify({credHelpers: {...others, 'us.gcr.io': 'gcr', 'eu.gcr.io': 'gcauth'}}, null, '\t') + '\n');
    const replaced = await run(['gcr.io,us.gcr.io', '--overwrite']);
    expect(replaced).toMatchObject({code: 0, stdout: ''});
    expect(replaced.stderr).toBe(
      `Changes to ${configFile}, too many lines to show as a diff:\n` +
        '  "credHelpers" entries added: gcr.io -> gcauth\n' +
        '  "credHelpers" entries switched to gcauth: us.gcr.io from gcr\n' +
        '  every other key and value is kept, and the file is written one entry per line\n' +
        `Docker now runs docker-credential-gcauth for gcr.io, us.gcr.io (${configFile}).\n`,
    );
    expect(JSON.parse(written())).toEqual({credHelpers: {...others, 'us.gcr.io': 'gcauth', 'eu.gcr.io': 'gcauth', 'gcr.io': 'gcauth'}});
    const removed = await run(['--remove']);
    expect(removed.stderr).toBe(
      `Changes to ${configFile}, too many lines to show as a diff:\n` +
        '  "credHelpers" entries removed: us.gcr.io, eu.gcr.io, gcr.io\n' +
        '  every other key and value is kept, and the file is written one entry per line\n' +
        `Removed gcauth from credHelpers for us.gcr.io, eu.gcr.io, gcr.io in ${configFile}.\n`,
    );
    expect(JSON.parse(written())).toEqual({credHelpers: others});
  });

  test('hosts with a port, a scheme or a path are normalised; hosts that are not Google go into docker/registries', async () => {
    const result = await run(['https://127.0.0.1:5000/v2/,Mirror.Example.com', 'europe-docker.pkg.dev', '--format=json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      configFile,
      changed: true,
      dryRun: false,
      added: ['127.0.0.1:5000', 'mirror.example.com', 'europe-docker.pkg.dev'],
      replaced: [],
      removed: [],
      unchanged: [],
      credHelpers: {'127.0.0.1:5000': 'gcauth', 'mirror.example.com': 'gcauth', 'europe-docker.pkg.dev': 'gcauth'},
      registries: ['127.0.0.1:5000', 'mirror.example.com'],
    });
    expect(result.stderr).toContain('gcauth configuration [default]: docker/registries (unset) -> 127.0.0.1:5000,mirror.example.com\n');
    expect(gcauthConfig()).toBe('[docker]\nregistries = 127.0.0.1:5000,mirror.example.com\n');
    // Again: nothing to change, in either file.
    expect((await run(['127.0.0.1:5000'])).stderr).toBe(`Docker already uses gcauth for 127.0.0.1:5000 (${configFile}); nothing to change.\n`);
  });

  test('an environment override of docker/registries is pointed out', async () => {
    const result = await run(['127.0.0.1:5000'], {env: env({GCAUTH_DOCKER_REGISTRIES: 'other.example.com'})});
    expect(result.stderr).toContain(
      'WARNING: GCAUTH_DOCKER_REGISTRIES=other.example.com overrides docker/registries while it is set: docker-credential-gcauth serves only the hosts it lists.\n',
    );
  });

  test('--include-artifact-registry adds every Artifact Registry host, and warns about build time', async () => {
    const result = await run(['--include-artifact-registry', '-q']);
    expect(result.code).toBe(0);
    const helpers = JSON.parse(written()).credHelpers as Record<string, string>;
    expect(Object.keys(helpers)).toEqual([...GCR_DEFAULT_HOSTS, ...ARTIFACT_REGISTRY_HOSTS]);
    expect(result.stderr).toContain(
      `credHelpers will name ${GCR_DEFAULT_HOSTS.length + ARTIFACT_REGISTRY_HOSTS.length} hosts for gcauth; a classic docker build asks the helper for each before it starts. With a cached token docker-credential-gcauth answers each without starting Node, so the list adds little to a build.\n`,
    );
    // A benchmark's figures describe the machine that measured them, not the user's: none in a runtime message.
    const costLine = result.stderr.split('\n').find((line) => line.startsWith('credHelpers will name'));
    expect(costLine?.replace(/^credHelpers will name \d+ hosts/, '')).not.toMatch(/\d|measured/);
    expect(result.stderr).not.toMatch(/WARNING: .*delay|keep builds fast/);
    expect(result.stderr).toContain(`(${configFile}).\n`);
    expect(result.stderr).toContain('docker-credential-gcauth for gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, staging-k8s.gcr.io, marketplace.gcr.io and 92 more');
  });

  describe('--remove', () => {
    test("takes out gcauth's entries and only those; an emptied credHelpers goes; docker/registries loses its hosts", async () => {
      seed(OTHERS);
      await run(['gcr.io,127.0.0.1:5000,mirror.example.com']);
      expect(gcauthConfig()).toBe('[docker]\nregistries = 127.0.0.1:5000,mirror.example.com\n');
      const partial = await run(['--remove', 'mirror.example.com,us.gcr.io,eu.gcr.io']);
      expect(partial.code).toBe(0);
      expect(partial.stderr).toContain('Left alone: us.gcr.io (docker-credential-gcr), which gcauth does not serve.\n');
      expect(partial.stderr).toContain('docker/registries 127.0.0.1:5000,mirror.example.com -> 127.0.0.1:5000\n');
      expect(partial.stderr).toContain(`Removed gcauth from credHelpers for mirror.example.com in ${configFile}.\n`);
      expect(JSON.parse(written()).credHelpers).toEqual({'123456789.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'us.gcr.io': 'gcr', 'gcr.io': 'gcauth', '127.0.0.1:5000': 'gcauth'});

      const all = await run(['--remove']);
      expect(all.code).toBe(0);
      expect(JSON.parse(written()).credHelpers).toEqual({'123456789.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login', 'us.gcr.io': 'gcr'});
      expect(gcauthConfig()).toBe('');
      expect((await run(['--remove'])).stderr).toBe(`No credHelpers entry in ${configFile} names gcauth; nothing to change.\n`);
    });

    test('after configure, remove restores a config that had no credHelpers', async () => {
      seed('{\n\t"auths": {}\n}');
      await run([]);
      await run(['--remove']);
      expect(written()).toBe('{\n\t"auths": {}\n}');
    });

    test('--remove with --overwrite is a usage error, in the words of the standalone helper', async () => {
      const result = await run(['--remove', '--overwrite']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('ERROR: --overwrite cannot be used with --remove.\n');
    });

    test('REGISTRIES as --registries (docker-credential-gcr\'s form, which the helper takes too), repeatable', async () => {
      expect((await run(['--registries=gcr.io', '--registries', 'us.gcr.io', '-q'])).code).toBe(0);
      expect(JSON.parse(written())).toEqual({credHelpers: {'gcr.io': 'gcauth', 'us.gcr.io': 'gcauth'}});
    });
  });

  describe('bad input and bad files: one error line, nothing touched', () => {
    test.each([
      [['gcr..io'], 'ERROR: Invalid registry [gcr..io]: expected HOST or HOST:PORT, e.g. gcr.io or 127.0.0.1:5000.\n'],
      [['user@gcr.io'], 'ERROR: Invalid registry [user@gcr.io]: expected HOST or HOST:PORT, e.g. gcr.io or 127.0.0.1:5000.\n'],
      [['bad host'], 'ERROR: Invalid registry [bad host]: expected HOST or HOST:PORT, e.g. gcr.io or 127.0.0.1:5000.\n'],
      [['127.0.0.1:99999'], 'ERROR: Invalid registry [127.0.0.1:99999]: the port must be between 1 and 65535, e.g. gcr.io or 127.0.0.1:5000.\n'],
      [[','], 'ERROR: REGISTRIES is empty: name hosts separated by commas, e.g. gcr.io,us-docker.pkg.dev.\n'],
      [['docker.io'], 'ERROR: [docker.io] is Docker Hub: gcauth only serves Google registries and the mirrors or emulators you name.\n'],
      [['https://index.docker.io/v1/'], 'ERROR: [https://index.docker.io/v1/] is Docker Hub: gcauth only serves Google registries and the mirrors or emulators you name.\n'],
    ])('%j', async (argv, stderr) => {
      seed(OTHERS);
      const before = snapshot(dir);
      expect(await run(argv)).toEqual({stdout: '', stderr, code: 2, asked: []});
      expect(snapshot(dir)).toEqual(before);
    });

    test.each([
      ['{"auths": ', /^ERROR: The Docker config file \[.*\/config\.json\] is not valid JSON( \(at character \d+\))?\. Fix or move it, then run again\.\n$/],
      ['["gcr.io"]', /^ERROR: The Docker config file \[.*\] does not hold a JSON object\. Fix or move it, then run again\.\n$/],
      ['{"credHelpers": []}', /^ERROR: The Docker config file \[.*\] is malformed: "credHelpers" is not an object\. Fix it, then run again\.\n$/],
    ])('config.json %s', async (text, message) => {
      seed(text);
      const before = snapshot(dir);
      const result = await run([]);
      expect(result).toMatchObject({stdout: '', code: 1});
      expect(result.stderr).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    });

    test('a directory where config.json should be', async () => {
      mkdirSync(configFile, {recursive: true});
      expect(await run([])).toMatchObject({stdout: '', stderr: `ERROR: Cannot read the Docker config file [${configFile}]: it is a directory.\n`, code: 1});
    });

    test('DOCKER_CONFIG naming a file: cannot be written, and the file is untouched', async () => {
      writeFileSync(path.join(dir, 'plain'), 'not a dir');
      const result = await run([], {env: env({DOCKER_CONFIG: path.join(dir, 'plain')})});
      expect(result).toMatchObject({code: 1, stdout: ''});
      expect(result.stderr).toMatch(/ERROR: Cannot read the Docker config file \[.*\/plain\/config\.json\]: a part of the path is not a directory\.\n$/);
      expect(readFileSync(path.join(dir, 'plain'), 'utf8')).toBe('not a dir');
    });
  });

  describe('warnings (never fatal)', () => {
    test('a login under auths that credHelpers will hide; not the empty entry docker login leaves after a helper stores', async () => {
      seed('{"auths": {"https://gcr.io/v1/": {"auth": "eA=="}, "us.gcr.io": {"identitytoken": "t"}, "eu.gcr.io": {}, "quay.io": {"auth": "eA=="}}}');
      const result = await run(['gcr.io,us.gcr.io,eu.gcr.io']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /^WARNING: .*config\.json also has logins under "auths" for gcr\.io, us\.gcr\.io; Docker will ignore them, because a credHelpers entry takes precedence\.\n--- /,
      );
    });

    test('the helper not on PATH, docker missing', async () => {
      rmSync(path.join(bin, 'docker'));
      rmSync(path.join(bin, 'docker-credential-gcauth'));
      const result = await run(['gcr.io']);
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('WARNING'))).toEqual([
        `WARNING: docker-credential-gcauth is not on PATH, so Docker cannot run it yet. Install this checkout globally with: npm install -g ${repoRoot} (or npm pack there and npm install -g the .tgz), and make sure npm's global bin directory is on PATH.`,
        'WARNING: docker was not found on PATH; the config file is written anyway, for when it is installed.',
      ]);
      expect(JSON.parse(written())).toEqual({credHelpers: {'gcr.io': 'gcauth'}});
    });

    test('a helper on PATH that may not be run does not count', async () => {
      chmodSync(path.join(bin, 'docker-credential-gcauth'), 0o644);
      expect((await run(['gcr.io'])).stderr).toContain('WARNING: docker-credential-gcauth is not on PATH');
    });

    test('docker older than 18.03', async () => {
      fakeTool('docker', 'echo 17.09.1-ce');
      expect((await run(['gcr.io'])).stderr).toContain('WARNING: Docker 17.09.1-ce is older than 18.03; upgrade Docker for its credential helpers to work as expected.\n');
      fakeTool('docker', 'echo 18.03.0-ce');
      expect((await run(['us.gcr.io'])).stderr).not.toContain('WARNING');
    });

    test('credHelpers in a config with no credentials settings turns off Docker choosing a keychain', async () => {
      fakeTool('docker-credential-secretservice', 'exit 0');
      const result = await run(['gcr.io'], {env: env()});
      expect(result.stderr).toContain(
        `WARNING: ${configFile} has no "credsStore", so Docker has been choosing docker-credential-secretservice for logins by itself; once credHelpers is present it stops doing so, ` +
          'and later docker logins to other registries keep their passwords base64-encoded in config.json. To keep them in secretservice, add "credsStore": "secretservice" to it.\n',
      );
      // With pass on PATH Docker would pick docker-credential-pass instead, which is not there: nothing changes.
      fakeTool('pass', 'exit 0');
      rmSync(configFile);
      expect((await run(['gcr.io'])).stderr).not.toContain('credsStore');
      // A config that already holds credentials settings never had the keychain chosen for it.
      rmSync(path.join(bin, 'pass'));
      seed('{"auths": {"quay.io": {}}}');
      expect((await run(['gcr.io'])).stderr).not.toContain('credsStore');
    });
  });
});

describe('requestedHosts', () => {
  test('defaults, explicit lists, Artifact Registry, and none for a bare --remove', () => {
    expect(requestedHosts({})).toEqual(GCR_DEFAULT_HOSTS);
    expect(requestedHosts({registries: 'gcr.io, GCR.io,https://us.gcr.io/'})).toEqual(['gcr.io', 'us.gcr.io']);
    expect(requestedHosts({remove: true})).toEqual([]);
    expect(requestedHosts({includeArtifactRegistry: true, registries: 'gcr.io'})).toEqual(['gcr.io', ...ARTIFACT_REGISTRY_HOSTS]);
    expect(() => requestedHosts({registries: 'registry-1.docker.io:443'})).toThrow(UsageError);
  });

  test('a single-label host that Docker would never ask for is refused; localhost, IPs and HOST:PORT are taken', () => {
    expect(() => requestedHosts({registries: 'http://foo'})).toThrow(
      'Invalid registry [http://foo]: [foo] has no dot and no port, so Docker never treats it as a registry (foo/IMAGE is an image on Docker Hub); use HOST.DOMAIN, HOST:PORT, an IP address or localhost, e.g. gcr.io or 127.0.0.1:5000.',
    );
    expect(requestedHosts({registries: 'localhost,foo:5000,10.1.2.3,[::1]:5000'})).toEqual(['localhost', 'foo:5000', '10.1.2.3', '[::1]:5000']);
  });
});

describe('the docker version probe', () => {
  test('a docker that does not answer in time is a warning, not a wait', async () => {
    const slow = mkdtempSync(path.join(tmpdir(), 'gcauth-slow-docker-'));
    try {
      writeFileSync(path.join(slow, 'docker'), '#!/bin/sh\nexec /bin/sleep 30\n', {mode: 0o755});
      const started = Date.now();
      expect(await dockerVersionWarning({env: {PATH: slow}}, 300)).toBe(
        '`docker version` did not answer within 0.3 s, so its version is unknown (Docker 18.03 or later is expected).',
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      rmSync(slow, {recursive: true, force: true});
    }
  });

  test('output that is not a version', async () => {
    const odd = mkdtempSync(path.join(tmpdir(), 'gcauth-odd-docker-'));
    try {
      writeFileSync(path.join(odd, 'docker'), '#!/bin/sh\necho "template: :1: function unknown"\nexit 1\n', {mode: 0o755});
      expect(await dockerVersionWarning({env: {PATH: odd}})).toBe("Could not tell docker's version (Docker 18.03 or later is expected).");
    } finally {
      rmSync(odd, {recursive: true, force: true});
    }
  });
});
