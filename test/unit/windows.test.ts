/**
 * Windows, as the code sees it with `platform` set to win32: every path gcauth builds there (path.win32), the browser
 * it starts, the files it trusts without modes, and the BOM and CRLF of what PowerShell writes and pipes.
 */
import {generateKeyPairSync} from 'node:crypto';
import {chmodSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {wellKnownAdcFile} from '../../src/lib/auth/adc/read.js';
import {parseServiceAccountKey} from '../../src/lib/auth/credentials/service-account-key.js';
import {browserCommand} from '../../src/lib/auth/login/browser.js';
import {parseIni} from '../../src/lib/config/configurations.js';
import {pathFor, resolvePaths} from '../../src/lib/config/paths.js';
import {dockerConfigPath, formatDockerConfig, readDockerConfig, withCredHelpers} from '../../src/lib/docker/docker-config.js';
import {helperBinFor, helperNameFor, isGcauthHelper} from '../../src/lib/docker/helper.js';
import {withoutBom} from '../../src/lib/fs/read-file.js';
import {checkPrivateDir, otherUserMayWrite} from '../../src/lib/fs/secure-fs.js';

const home = 'C:\\Users\\ana';
const appData = 'C:\\Users\\ana\\AppData\\Roaming';

describe("Docker's config.json on Windows", () => {
  test('%USERPROFILE%\\.docker\\config.json, else DOCKER_CONFIG', () => {
    expect(dockerConfigPath({}, home, 'win32')).toBe('C:\\Users\\ana\\.docker\\config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: 'D:\\docker'}, home, 'win32')).toBe('D:\\docker\\config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: ''}, home, 'win32')).toBe('C:\\Users\\ana\\.docker\\config.json');
  });

  test('a DOCKER_CONFIG with a trailing backslash, forward slashes, or a UNC path', () => {
    expect(dockerConfigPath({DOCKER_CONFIG: 'D:\\docker\\'}, home, 'win32')).toBe('D:\\docker\\config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: 'D:/docker/'}, home, 'win32')).toBe('D:\\docker\\config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: '\\\\server\\share\\docker'}, home, 'win32')).toBe('\\\\server\\share\\docker\\config.json');
    expect(dockerConfigPath({DOCKER_CONFIG: '\\\\server\\share\\docker\\'}, home, 'win32')).toBe('\\\\server\\share\\docker\\config.json');
  });

  test('POSIX paths are unchanged', () => {
    expect(dockerConfigPath({DOCKER_CONFIG: '/d/'}, '/home/u', 'linux')).toBe('/d/config.json');
    expect(dockerConfigPath({}, '/Users/u', 'darwin')).toBe('/Users/u/.docker/config.json');
  });
});

describe("gcauth's config dir on Windows", () => {
  test('%APPDATA%\\gcauth, every file under it', () => {
    expect(resolvePaths({APPDATA: appData}, home, 'win32')).toEqual({
      configDir: 'C:\\Users\\ana\\AppData\\Roaming\\gcauth',
      activeConfigFile: 'C:\\Users\\ana\\AppData\\Roaming\\gcauth\\active_config',
      configurationsDir: 'C:\\Users\\ana\\AppData\\Roaming\\gcauth\\configurations',
      credentialsFile: 'C:\\Users\\ana\\AppData\\Roaming\\gcauth\\credentials.json',
      tokensDir: 'C:\\Users\\ana\\AppData\\Roaming\\gcauth\\access_tokens',
    });
  });

  test('without APPDATA the profile\'s AppData\\Roaming; GCAUTH_CONFIG and XDG_CONFIG_HOME still win', () => {
    expect(resolvePaths({}, home, 'win32').configDir).toBe('C:\\Users\\ana\\AppData\\Roaming\\gcauth');
    expect(resolvePaths({APPDATA: appData, GCAUTH_CONFIG: 'E:\\gc\\'}, home, 'win32').configDir).toBe('E:\\gc');
    expect(resolvePaths({APPDATA: appData, XDG_CONFIG_HOME: 'E:\\xdg'}, home, 'win32').configDir).toBe('E:\\xdg\\gcauth');
    expect(resolvePaths({GCAUTH_CONFIG: '\\\\srv\\share\\gcauth'}, home, 'win32').credentialsFile).toBe('\\\\srv\\share\\gcauth\\credentials.json');
  });

  test('Linux and macOS keep ~/.config/gcauth, whatever APPDATA says', () => {
    expect(resolvePaths({APPDATA: '/x'}, '/home/u', 'linux').configDir).toBe('/home/u/.config/gcauth');
    expect(resolvePaths({}, '/Users/u', 'darwin').configDir).toBe('/Users/u/.config/gcauth');
  });
});

test('the ADC file: %APPDATA%\\gcloud\\application_default_credentials.json', () => {
  expect(wellKnownAdcFile({APPDATA: appData}, home, 'win32')).toBe('C:\\Users\\ana\\AppData\\Roaming\\gcloud\\application_default_credentials.json');
  expect(wellKnownAdcFile({}, home, 'win32')).toBe('C:\\Users\\ana\\AppData\\Roaming\\gcloud\\application_default_credentials.json');
  expect(wellKnownAdcFile({APPDATA: appData, CLOUDSDK_CONFIG: 'D:\\gcloud\\'}, home, 'win32')).toBe('D:\\gcloud\\application_default_credentials.json');
});

test('pathFor: path.win32 for win32, path.posix otherwise', () => {
  expect(pathFor('win32')).toBe(path.win32);
  expect(pathFor('linux')).toBe(path.posix);
  expect(pathFor('darwin')).toBe(path.posix);
});

test("the browser: rundll32's URL handler, the URL one argument with its & intact (no cmd.exe to reparse it)", () => {
  const url = 'http://127.0.0.1:5000/o/oauth2/v2/auth?client_id=a&redirect_uri=http%3A%2F%2Flocalhost&scope=x+y&state=s';
  expect(browserCommand(url, {}, 'win32')).toEqual({file: 'rundll32', args: ['url.dll,FileProtocolHandler', url]});
  expect(browserCommand(url, {BROWSER: 'firefox'}, 'win32')).toEqual({file: 'firefox', args: [url]});
});

describe('the helper Docker runs', () => {
  test('gcauth-node on Windows (npm shims it with node), gcauth elsewhere (the sh fast path)', () => {
    expect(helperNameFor('win32')).toBe('gcauth-node');
    expect(helperBinFor('win32')).toBe('docker-credential-gcauth-node');
    expect(helperNameFor('linux')).toBe('gcauth');
    expect(helperNameFor('darwin')).toBe('gcauth');
  });

  test('either name is gcauth\'s own entry; nothing else is', () => {
    expect(['gcauth', 'gcauth-node', 'gcloud', 'desktop', '', undefined].map(isGcauthHelper)).toEqual([true, true, false, false, false, false]);
  });
});

describe('file modes on Windows', () => {
  // What Node's stat reports there: no owner (uid 0) and 0o666/0o777 permission bits; process.getuid is absent.
  test('no uid: nothing is refused for its owner or mode', () => {
    expect(otherUserMayWrite({mode: 0o40777, uid: 0}, null)).toBeUndefined();
    expect(otherUserMayWrite({mode: 0o100666, uid: 0}, null)).toBeUndefined();
    expect(otherUserMayWrite({mode: 0o40777, uid: 1234}, 1000)).toBe('it belongs to another user (uid 1234)');
  });

  test('checkPrivateDir passes a world-writable dir when there are no uids, and refuses it where there are', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-win-mode-'));
    try {
      chmodSync(dir, 0o777);
      expect(() => checkPrivateDir(dir, null)).not.toThrow();
      expect(() => checkPrivateDir(dir, process.getuid!())).toThrow(/other users can write to it \(mode 0777\)/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('what PowerShell writes and pipes: a BOM, CRLF line ends', () => {
  const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const key = {type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: pem, private_key_id: 'abc'};
  const asPowerShell = (text: string) => `\uFEFF${text.split('\n').join('\r\n')}\r\n`;

  test('a configuration file saved with a BOM and CRLF keeps its first section', () => {
    expect(parseIni('\uFEFF[core]\r\naccount = ci@p.iam.gserviceaccount.com\r\n\r\n[docker]\r\nregistries = 127.0.0.1:5000\r\n')).toEqual({
      core: {account: 'ci@p.iam.gserviceaccount.com'},
      docker: {registries: '127.0.0.1:5000'},
    });
  });

  test('withoutBom drops one leading BOM and nothing else', () => {
    expect(withoutBom('\uFEFF{"a":1}')).toBe('{"a":1}');
    expect(withoutBom('{"a":"\uFEFF"}')).toBe('{"a":"\uFEFF"}');
    expect(withoutBom('')).toBe('');
  });

  test('a key with a BOM and CRLF line ends (Get-Content KEY | gcauth auth activate-service-account --key-file=-) is the same key', () => {
    const parsed = parseServiceAccountKey(asPowerShell(JSON.stringify(key, null, 2)), 'standard input');
    expect(parsed.client_email).toBe(key.client_email);
    expect(parsed.private_key).toBe(pem);
  });

  test('a config.json with a BOM and CRLF is read, and written back with CRLF and no BOM (Docker cannot parse one)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcauth-win-config-'));
    try {
      const {writeFileSync, readFileSync} = await import('node:fs');
      const file = path.join(dir, 'config.json');
      writeFileSync(file, asPowerShell(JSON.stringify({auths: {}, credHelpers: {'gcr.io': 'gcauth'}}, null, '\t')));
      const read = await readDockerConfig(file);
      expect(read.data).toEqual({auths: {}, credHelpers: {'gcr.io': 'gcauth'}});
      const text = formatDockerConfig(withCredHelpers(read.data, {'gcr.io': 'gcauth-node'}), read.text);
      expect(text).toBe('{\r\n\t"auths": {},\r\n\t"credHelpers": {\r\n\t\t"gcr.io": "gcauth-node"\r\n\t}\r\n}\r\n');
      expect(JSON.parse(text)).toEqual({auths: {}, credHelpers: {'gcr.io': 'gcauth-node'}});
      expect(readFileSync(file, 'utf8').startsWith('\uFEFF')).toBe(true);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
