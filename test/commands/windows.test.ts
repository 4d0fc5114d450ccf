/**
 * Cores on a fake context whose platform is win32: configure-docker names the helper npm can run there, doctor
 * reads config.json and the docker-users group as Windows has them, and a key piped by PowerShell is activated.
 * A win32 context builds Windows paths (path.win32), which are not paths on this machine: these tests only read
 * them (a dry run, an absent file) and check that nothing was written under the working directory.
 */
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {activateServiceAccount} from '../../src/commands/auth/activate-service-account.js';
import {configureDocker} from '../../src/lib/docker/configure.js';
import {checkDockerConfig, credHelperVerdict} from '../../src/lib/doctor/docker-config.js';
import {checkDockerGroup} from '../../src/lib/doctor/docker-group.js';
import {checkHelper, checkHelperFastPath} from '../../src/lib/doctor/helper.js';
import {fakeContext} from '../helpers/context.js';

const home = 'C:\\Users\\ana';
const windowsEnv = {APPDATA: `${home}\\AppData\\Roaming`, USERPROFILE: home, PATH: '', PATHEXT: '.COM;.EXE;.BAT;.CMD'};

/** A win32 context over Windows paths: GCAUTH_CONFIG is left to %APPDATA%. */
async function windowsContext(env: Record<string, string> = {}) {
  const fake = await fakeContext({platform: 'win32', homeDir: home, env: {...windowsEnv, GCAUTH_CONFIG: undefined, ...env}});
  return fake;
}

const cwdBefore = readdirSync(process.cwd());
afterAll(() => expect(readdirSync(process.cwd())).toEqual(cwdBefore));

describe('configure-docker on win32', () => {
  test('--dry-run: %USERPROFILE%\\.docker\\config.json gets gcauth-node, the Node helper npm shims with node; nothing is written', async () => {
    const {ctx, out} = await windowsContext();
    expect(ctx.paths.configDir).toBe('C:\\Users\\ana\\AppData\\Roaming\\gcauth');
    const result = await configureDocker({registries: 'gcr.io', dryRun: true}, ctx);
    expect(result).toMatchObject({configFile: 'C:\\Users\\ana\\.docker\\config.json', added: ['gcr.io'], credHelpers: {'gcr.io': 'gcauth-node'}, changed: false});
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('+++ C:\\Users\\ana\\.docker\\config.json');
    expect(out.stderr).toContain('+\t\t"gcr.io": "gcauth-node"');
    expect(out.stderr).toContain('docker-credential-gcauth-node is not on PATH, so Docker cannot run it yet.');
    expect(out.stderr).toContain('Dry run: nothing was written.');
  });

  test('a DOCKER_CONFIG with a trailing backslash and a UNC one resolve to their config.json', async () => {
    for (const [dir, file] of [
      ['D:\\docker\\', 'D:\\docker\\config.json'],
      ['\\\\server\\share\\docker', '\\\\server\\share\\docker\\config.json'],
    ]) {
      const {ctx} = await windowsContext({DOCKER_CONFIG: dir!});
      expect((await configureDocker({registries: 'gcr.io', dryRun: true}, ctx)).configFile).toBe(file);
    }
  });

  test('--include-artifact-registry says Windows starts Node for every host', async () => {
    const {ctx, out} = await windowsContext();
    await configureDocker({includeArtifactRegistry: true, dryRun: true}, ctx);
    expect(out.stderr).toContain('On Windows docker-credential-gcauth-node starts Node for each');
  });
});

describe("gcauth's two helper names share one config.json (a profile moved between machines)", () => {
  test('on Linux an entry naming gcauth-node is switched to gcauth without --overwrite, and --remove takes out both', async () => {
    const {ctx, out, configDir} = await fakeContext({platform: 'linux', env: {PATH: ''}});
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    // As Notepad or PowerShell 5.1 saves it: a BOM and CRLF. Written back with CRLF, and without the BOM Docker cannot parse.
    writeFileSync(path.join(docker, 'config.json'), '\uFEFF{\r\n  "credHelpers": {\r\n    "gcr.io": "gcauth-node",\r\n    "eu.gcr.io": "gcloud"\r\n  }\r\n}\r\n');
    ctx.env.DOCKER_CONFIG = docker;
    const result = await configureDocker({registries: 'gcr.io', overwrite: false}, ctx);
    expect(result).toMatchObject({changed: true, replaced: [{host: 'gcr.io', previous: 'gcauth-node'}]});
    expect(out.stderr).not.toContain('--overwrite');
    expect(readFileSync(path.join(docker, 'config.json'), 'utf8')).toBe('{\r\n  "credHelpers": {\r\n    "gcr.io": "gcauth",\r\n    "eu.gcr.io": "gcloud"\r\n  }\r\n}\r\n');

    writeFileSync(path.join(docker, 'config.json'), JSON.stringify({credHelpers: {'gcr.io': 'gcauth', 'us.gcr.io': 'gcauth-node', 'eu.gcr.io': 'gcloud'}}));
    expect((await configureDocker({remove: true}, ctx)).removed.sort()).toEqual(['gcr.io', 'us.gcr.io']);
    expect(JSON.parse(readFileSync(path.join(docker, 'config.json'), 'utf8')).credHelpers).toEqual({'eu.gcr.io': 'gcloud'});
  });
});

describe('doctor on win32', () => {
  test('config.json: gcauth-node is right on Windows; gcauth there names the sh program, which cannot run', () => {
    expect(credHelperVerdict('gcauth-node', 'win32')).toBe('gcauth');
    expect(credHelperVerdict('gcauth', 'win32')).toBe('gcauth-sh-on-windows');
    expect(credHelperVerdict('gcauth', 'linux')).toBe('gcauth');
    expect(credHelperVerdict('gcauth-node', 'darwin')).toBe('gcauth');
    expect(credHelperVerdict('desktop', 'win32')).toBe('other');
  });

  test('config.json read with a BOM and CRLF (as Windows tools write it): the entry is seen', async () => {
    const {ctx, configDir} = await fakeContext({platform: 'linux'});
    const docker = path.join(configDir, 'docker');
    mkdirSync(docker);
    writeFileSync(path.join(docker, 'config.json'), '\uFEFF{\r\n\t"credHelpers": {\r\n\t\t"gcr.io": "gcauth-node"\r\n\t}\r\n}\r\n');
    expect((await checkDockerConfig({...ctx, env: {DOCKER_CONFIG: docker}}, 'gcr.io'))[0]).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('credHelpers sends gcr.io to docker-credential-gcauth-node'),
    });
  });

  test('config.json as Windows reads it: gcauth fails, gcauth-node passes', async () => {
    const {ctx} = await windowsContext();
    // An absent %USERPROFILE%\.docker\config.json: nothing answers, and the fix is configure-docker.
    expect((await checkDockerConfig(ctx, 'gcr.io'))[0]).toMatchObject({
      status: 'fail',
      message: 'Docker reads C:\\Users\\ana\\.docker\\config.json (absent); nothing answers for gcr.io, so Docker sends no credentials',
    });
  });

  test('the helper check looks for docker-credential-gcauth-node (PATHEXT), and the fast-path check is skipped', async () => {
    const {ctx} = await windowsContext();
    expect(await checkHelper(ctx, 'gcr.io')).toMatchObject({
      status: 'fail',
      message: 'docker-credential-gcauth-node is not on PATH, so Docker cannot run it',
      fix: 'add the folder `npm prefix -g` prints to your user Path, then open a new terminal',
    });
    expect(await checkHelperFastPath(ctx, 'gcr.io')).toMatchObject({status: 'skip'});
  });

  test('docker-users membership from `whoami /groups /fo csv /nh` (a stub): in, not in, and whoami failing', async () => {
    const {ctx} = await windowsContext();
    const system = (groups: () => Promise<string>) => ({uid: -1, gids: [], userName: 'ana', groupFile: '', windowsGroups: groups});
    expect(await checkDockerGroup(ctx, system(async () => '"Everyone","Well-known group","S-1-1-0","Mandatory group"\r\n"DESKTOP-1\\docker-users","Alias","S-1-5-21-1-1001","Mandatory group, Enabled by default, Enabled group"\r\n'))).toMatchObject({status: 'ok'});
    expect(await checkDockerGroup(ctx, system(async () => '"Everyone","Well-known group","S-1-1-0","Mandatory group"\r\n'))).toMatchObject({
      status: 'fail',
      fix: 'net localgroup docker-users "ana" /add   (as an administrator, then sign out and in)',
    });
    expect(
      await checkDockerGroup(
        ctx,
        system(async () => {
          throw new Error('spawn whoami ENOENT');
        }),
      ),
    ).toMatchObject({status: 'warn', message: "could not list this user's groups (spawn whoami ENOENT)"});
  });
});

test('a key piped as PowerShell pipes it (a BOM, CRLF) is activated from --key-file=-', async () => {
  const {generateKeyPairSync} = await import('node:crypto');
  const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const key = JSON.stringify({type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: pem, private_key_id: 'k1'}, null, 2);
  const stdin = `\uFEFF${key.split('\n').join('\r\n')}\r\n`;
  const {ctx} = await fakeContext({stdin, mint: async () => ({token: 'ya29.t', expiry: Date.UTC(2099, 0, 1)})});
  expect(await activateServiceAccount({keyFile: '-'}, ctx)).toEqual({account: 'ci@p.iam.gserviceaccount.com'});
  expect((await ctx.store.get('ci@p.iam.gserviceaccount.com'))?.type).toBe('service_account');
});
