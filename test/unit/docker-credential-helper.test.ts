import {CredentialsNotFoundError, type HelperBackend, type HelperCommand, NOT_FOUND_MESSAGE, serveCredentialHelper} from '../../src/lib/docker/credential-helper.js';
import {DEFAULT_TOKEN_SOURCES, formatTokenSources, parseTokenSources} from '../../src/lib/docker/token-sources.js';
import {AuthError, UsageError} from '../../src/lib/errors.js';
import {tokenSourceListProblem} from '../../src/lib/validators.js';

const identity = {name: 'docker-credential-test', packageName: 'gcauth', version: () => '1.2.3'};

/** Runs one invocation against a backend, with `input` on stdin: exit code and both streams exactly. */
async function serve(argv: string[], backend: Partial<HelperBackend> = {}, input = '', commands: HelperCommand[] = []) {
  const out = {stdout: '', stderr: '', inputRead: false};
  const code = await serveCredentialHelper(
    argv,
    {
      readInput: async () => {
        out.inputRead = true;
        return input;
      },
      stdout: (t) => (out.stdout += t),
      stderr: (t) => (out.stderr += t),
    },
    {get: async () => ({username: 'u', secret: 's'}), list: async () => ({}), ...backend},
    identity,
    commands,
  );
  return {code, ...out};
}

describe('the protocol', () => {
  test('get: the server URL as given (lines joined, trimmed), username and secret as JSON', async () => {
    const asked: string[] = [];
    const backend = {get: async (url: string) => (asked.push(url), {username: 'oauth2accesstoken', secret: 'ya29.x'})};
    expect(await serve(['get'], backend, 'https://gcr.io\n')).toMatchObject({
      code: 0,
      stdout: '{"ServerURL":"https://gcr.io","Username":"oauth2accesstoken","Secret":"ya29.x"}\n',
      stderr: '',
    });
    await serve(['get'], backend, 'us-docker\r\n.pkg.dev ');
    expect(asked).toEqual(['https://gcr.io', 'us-docker.pkg.dev']);
  });

  test('get with nothing on stdin is an error', async () => {
    expect(await serve(['get'], {}, ' \n')).toMatchObject({code: 1, stdout: 'docker-credential-test: no credentials server URL\n', stderr: ''});
  });

  test('not found: exactly the sentinel on stdout, exit 1; a note goes to stderr only', async () => {
    expect(await serve(['get'], {get: async () => Promise.reject(new CredentialsNotFoundError())}, 'quay.io')).toMatchObject({
      code: 1,
      stdout: `${NOT_FOUND_MESSAGE}\n`,
      stderr: '',
    });
    expect(NOT_FOUND_MESSAGE).toBe('credentials not found in native keychain');
    const noted = await serve(['get'], {get: async () => Promise.reject(new CredentialsNotFoundError('run gcauth auth activate-service-account'))}, 'gcr.io');
    expect(noted).toMatchObject({code: 1, stdout: 'credentials not found in native keychain\n', stderr: 'run gcauth auth activate-service-account\n'});
  });

  test('other errors: one line on stdout naming the helper, with the hint, redacted; exit 1', async () => {
    const failing = {get: async () => Promise.reject(new AuthError('Refused\ntoken ya29.abcdefghijklmnopqrstuvwxyz0123456789 expired', {hint: 'Activate a key.'}))};
    const result = await serve(['get'], failing, 'gcr.io');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('docker-credential-test: Refused token [REDACTED] expired Activate a key.\n');
    expect(result.stderr).toBe('');
  });

  test('store and erase read their input and succeed silently, whatever it is', async () => {
    for (const [action, input] of [
      ['store', '{"ServerURL":"gcr.io","Username":"oauth2accesstoken","Secret":"t"}'],
      ['store', 'not json'],
      ['erase', 'gcr.io'],
      ['erase', ''],
    ]) {
      expect(await serve([action!], {}, input)).toEqual({code: 0, stdout: '', stderr: '', inputRead: true});
    }
  });

  test('list prints the backend map as JSON', async () => {
    const list = async () => ({'https://gcr.io': 'oauth2accesstoken'});
    expect(await serve(['list'], {list}, 'unused')).toMatchObject({code: 0, stdout: '{"https://gcr.io":"oauth2accesstoken"}\n'});
  });

  test.each([['version'], ['--version'], ['-v']])('%s prints name (package) version', async (flag) => {
    expect(await serve([flag])).toMatchObject({code: 0, stdout: 'docker-credential-test (gcauth) 1.2.3\n', stderr: '', inputRead: false});
  });

  test.each([['-h'], ['--help']])('%s prints the usage, exit 0', async (flag) => {
    expect(await serve([flag])).toMatchObject({code: 0, stdout: 'Usage: docker-credential-test <get|store|erase|list|version>\n', stderr: ''});
  });

  test.each([[[]], [['get', 'extra']]])('wrong number of arguments %j: usage on stdout, exit 1', async (argv) => {
    expect(await serve(argv)).toMatchObject({code: 1, stdout: 'Usage: docker-credential-test <get|store|erase|list|version>\n', stderr: '', inputRead: false});
  });

  test('an unknown action is an error', async () => {
    expect(await serve(['fetch'])).toMatchObject({code: 1, stdout: 'docker-credential-test: unknown credential action `fetch`\n'});
  });
});

describe('commands for people', () => {
  const ran: string[][] = [];
  const commands: HelperCommand[] = [
    {name: 'configure-docker', summary: 'point Docker at the helper', synopsis: '[--registries=HOST,...]', details: ['--registries=HOST,...  the hosts'], run: async (args) => void ran.push(args)},
    {
      name: 'config',
      summary: 'print or set the token sources',
      synopsis: '[--token-source=LIST]',
      details: [],
      run: async (args) => {
        if (args[0] === '--crash') throw new TypeError('boom');
        throw new UsageError('Invalid value for property [docker/token_source]: "x": unknown token source [x].', {hint: 'Run: docker-credential-test help config'});
      },
    },
  ];
  const USAGE = 'Usage: docker-credential-test <get|store|erase|list|version|configure-docker|config|help>\n';

  test.each([['help'], ['--help'], ['-h']])('%s lists every action and command, one line each, on stdout, exit 0', async (flag) => {
    const result = await serve([flag], {}, '', commands);
    expect(result).toMatchObject({code: 0, stderr: '', inputRead: false});
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(USAGE.trimEnd());
    const actions = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(actions).toEqual(['get', 'store', 'erase', 'list', 'version', 'configure-docker', 'config', 'help']);
  });

  test('help ACTION and ACTION --help print that action; an unknown topic is an error on stderr', async () => {
    const help = await serve(['help', 'configure-docker'], {}, '', commands);
    expect(help).toMatchObject({code: 0, stderr: ''});
    expect(help.stdout).toBe('Usage: docker-credential-test configure-docker [--registries=HOST,...]\n\npoint Docker at the helper\n\n  --registries=HOST,...  the hosts\n');
    expect(await serve(['configure-docker', '--help'], {}, '', commands)).toMatchObject({code: 0, stdout: help.stdout, stderr: ''});
    expect(await serve(['help', 'get'], {}, '', commands)).toMatchObject({code: 0, stdout: 'Usage: docker-credential-test get\n\nprint the credentials for the registry named on stdin, as JSON\n'});
    expect(await serve(['help', 'fetch'], {}, '', commands)).toEqual({code: 2, stdout: '', stderr: 'ERROR: docker-credential-test has no action [fetch]. Run: docker-credential-test help\n', inputRead: false});
    expect(ran).toEqual([]);
  });

  test('a command gets its arguments and reads no stdin; its errors are one ERROR line on stderr with its exit code, stdout empty', async () => {
    expect(await serve(['configure-docker', '--registries=gcr.io', 'x'], {}, '', commands)).toEqual({code: 0, stdout: '', stderr: '', inputRead: false});
    expect(ran).toContainEqual(['--registries=gcr.io', 'x']);
    expect(await serve(['config', '--token-source=x'], {}, '', commands)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: Invalid value for property [docker/token_source]: "x": unknown token source [x].\nRun: docker-credential-test help config\n',
      inputRead: false,
    });
    const crash = await serve(['config', '--crash'], {}, '', commands);
    expect(crash).toMatchObject({code: 1, stdout: '', stderr: 'ERROR: gcauth crashed (TypeError): boom\nRun again with --verbosity=debug to see where.\n'});
    expect((await serve(['config', '--crash', '--verbosity=debug'], {}, '', commands)).stderr).toMatch(/^ERROR: gcauth crashed \(TypeError\): boom\nTypeError: boom\n\s+at /);
  });

  test("the protocol's actions keep Docker's rules beside commands: usage on stdout, exit 1; unknown actions on stdout", async () => {
    expect(await serve(['get', 'extra'], {}, '', commands)).toMatchObject({code: 1, stdout: USAGE, stderr: ''});
    expect(await serve([], {}, '', commands)).toMatchObject({code: 1, stdout: USAGE, stderr: ''});
    expect(await serve(['fetch'], {}, '', commands)).toMatchObject({
      code: 1,
      stdout: 'docker-credential-test: unknown credential action `fetch`; run docker-credential-test help to see them\n',
      stderr: '',
    });
  });
});

describe('token source lists', () => {
  test.each([
    ['gcauth', ['gcauth']],
    ['adc', ['adc']],
    ['metadata', ['metadata']],
    ['gcauth,adc,metadata', ['gcauth', 'adc', 'metadata']],
    [' metadata , gcauth ', ['metadata', 'gcauth']],
  ])('%j is valid: %j', (value, sources) => {
    expect(tokenSourceListProblem(value)).toBeUndefined();
    expect(parseTokenSources(value)).toEqual(sources);
    expect(formatTokenSources(value)).toBe(sources.join(','));
  });

  test.each([
    ['', 'the list is empty'],
    [' , ', 'the list is empty'],
    ['gcauth,', 'an item is empty'],
    ['env', 'unknown token source [env]'],
    ['store', 'unknown token source [store]'],
    ['GCAUTH', 'unknown token source [GCAUTH]'],
    ['gcauth adc', 'unknown token source [gcauth adc]'],
    ['adc,adc', '[adc] is listed twice'],
  ])('%j is refused: %s, naming the valid ones', (value, problem) => {
    expect(tokenSourceListProblem(value)).toBe(`${problem}; expected a comma-separated list of gcauth, adc, metadata, in the order to try them`);
  });

  test('the default is the active account, then ADC, then the metadata server', () => {
    expect(DEFAULT_TOKEN_SOURCES).toBe('gcauth,adc,metadata');
  });
});
