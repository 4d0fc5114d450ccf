import {CredentialsNotFoundError, type HelperBackend, NOT_FOUND_MESSAGE, serveCredentialHelper} from '../../src/lib/docker/credential-helper.js';
import {AuthError} from '../../src/lib/errors.js';

const identity = {name: 'docker-credential-test', packageName: 'gcauth', version: () => '1.2.3'};

/** Runs one invocation against a backend, with `input` on stdin: exit code and both streams exactly. */
async function serve(argv: string[], backend: Partial<HelperBackend> = {}, input = '') {
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
    expect(await serve([flag])).toMatchObject({code: 0, stdout: 'Usage: docker-credential-test <store|get|erase|list|version>\n', stderr: ''});
  });

  test.each([[[]], [['get', 'extra']]])('wrong number of arguments %j: usage on stdout, exit 1', async (argv) => {
    expect(await serve(argv)).toMatchObject({code: 1, stdout: 'Usage: docker-credential-test <store|get|erase|list|version>\n', stderr: '', inputRead: false});
  });

  test('an unknown action is an error', async () => {
    expect(await serve(['fetch'])).toMatchObject({code: 1, stdout: 'docker-credential-test: unknown credential action `fetch`\n'});
  });
});
