import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {credentialSource} from '../../src/lib/doctor/docker-config.js';
import {checkDockerGroup, parseGroupFile} from '../../src/lib/doctor/docker-group.js';
import {renderDoctorReport} from '../../src/lib/doctor/doctor.js';
import {classifyHelperGet} from '../../src/lib/doctor/helper.js';
import {parseDoctorTarget} from '../../src/lib/doctor/target.js';
import {tmpDir} from '../helpers/emulator.js';

describe('parseDoctorTarget', () => {
  test.each([
    [undefined, {host: 'gcr.io', path: ''}],
    ['gcr.io', {host: 'gcr.io', path: ''}],
    ['https://eu.gcr.io/p1/app:1.0', {host: 'eu.gcr.io', path: 'p1/app', registry: {kind: 'gcr', project: 'p1', host: 'eu.gcr.io', location: 'europe'}}],
    ['gcr.io/example.com/proj/app@sha256:00', {host: 'gcr.io', path: 'example.com/proj/app', registry: {kind: 'gcr', project: 'example.com:proj', host: 'gcr.io', location: 'us'}}],
    ['us-docker.pkg.dev/p1/repo/team/app:v2', {host: 'us-docker.pkg.dev', path: 'p1/repo/team/app', registry: {kind: 'artifact-registry', location: 'us', project: 'p1', repository: 'repo'}}],
    ['us-docker.pkg.dev/p1', {host: 'us-docker.pkg.dev', path: 'p1'}],
    ['127.0.0.1:5000/p1/app', {host: '127.0.0.1:5000', path: 'p1/app'}],
  ])('%s', (input, expected) => expect(parseDoctorTarget(input)).toEqual(expected));

  test('refuses what is not a host', () => expect(() => parseDoctorTarget('bad host!/x')).toThrow(/^Invalid IMAGE_OR_HOST \[bad host!\/x\]/));
});

describe('docker group', () => {
  const groupFile = (text: string) => {
    const file = path.join(tmpDir(), 'group');
    writeFileSync(file, text);
    return file;
  };
  const linux = {env: {}, platform: 'linux' as const};

  test('parses group(5), skipping comments and bad lines', () => {
    expect(parseGroupFile('# c\ndocker:x:998:ana, bob\nbad line\nwheel:x:10:\n')).toEqual([
      {name: 'docker', gid: 998, members: ['ana', 'bob']},
      {name: 'wheel', gid: 10, members: []},
    ]);
  });

  test('root needs no group; a session gid passes; a listed member without the gid is told to re-login; none is told usermod', async () => {
    const file = groupFile('docker:x:998:ana\n');
    expect((await checkDockerGroup(linux, {uid: 0, gids: [0], userName: 'root', groupFile: file})).status).toBe('ok');
    expect((await checkDockerGroup(linux, {uid: 1000, gids: [998], userName: 'ana', groupFile: file})).status).toBe('ok');
    expect(await checkDockerGroup(linux, {uid: 1000, gids: [1000], userName: 'ana', groupFile: file})).toMatchObject({status: 'fail', fix: 'newgrp docker   (or log out and in)'});
    expect(await checkDockerGroup(linux, {uid: 1001, gids: [1001], userName: 'bob', groupFile: file})).toMatchObject({status: 'fail', fix: expect.stringMatching(/^sudo usermod -aG docker bob/)});
    expect((await checkDockerGroup(linux, {uid: 1001, gids: [], userName: 'bob', groupFile: groupFile('wheel:x:10:\n')})).status).toBe('warn');
  });

  test('a remote DOCKER_HOST skips it; Windows reads whoami /groups and says so', async () => {
    const system = {uid: 1000, gids: [], userName: 'ana', groupFile: '/nonexistent'};
    expect((await checkDockerGroup({env: {DOCKER_HOST: 'tcp://10.0.0.1:2376'}, platform: 'linux'}, system)).status).toBe('skip');
    const win = (out: string) => checkDockerGroup({env: {}, platform: 'win32'}, {...system, windowsGroups: async () => out});
    expect(await win('"BUILTIN\\Users","Alias","S-1-5-32-545","Enabled group"\r\n"PC\\docker-users","Alias","S-1-5-21-1","Enabled group"\r\n')).toMatchObject({
      status: 'ok',
      message: 'ana is in docker-users (from `whoami /groups`)',
    });
    expect(await win('"BUILTIN\\Users","Alias","S-1-5-32-545","Enabled group"\r\n')).toMatchObject({status: 'fail', fix: expect.stringContaining('net localgroup docker-users "ana" /add')});
  });
});

test("credentialSource follows Docker's order: credHelpers, credsStore, auths; an empty helper means the file", () => {
  const secret = {auth: 'eDp5'};
  expect(credentialSource({credHelpers: {'gcr.io': 'gcauth'}, credsStore: 'desktop', auths: {'gcr.io': secret}}, 'gcr.io')).toEqual({kind: 'credHelpers', helper: 'gcauth'});
  expect(credentialSource({credsStore: 'desktop', auths: {'gcr.io': secret}}, 'gcr.io')).toEqual({kind: 'credsStore', helper: 'desktop'});
  expect(credentialSource({credHelpers: {'gcr.io': ''}, credsStore: 'desktop', auths: {'https://gcr.io': secret}}, 'gcr.io')).toEqual({kind: 'auths'});
  expect(credentialSource({auths: {'gcr.io': {}}}, 'gcr.io')).toEqual({kind: 'none'});
});

test('classifyHelperGet: a token, the not-found sentinel, anything else an error', () => {
  expect(classifyHelperGet(0, '{"Username":"oauth2accesstoken","Secret":"ya29.x"}\n', '')).toEqual({kind: 'token', username: 'oauth2accesstoken'});
  expect(classifyHelperGet(1, 'credentials not found in native keychain\n', 'docker-credential-gcauth: no active gcauth account\n')).toEqual({kind: 'not-found'});
  expect(classifyHelperGet(1, 'refused: ya29.abcdefghijklmnopqrstuvwxyz\n', '')).toEqual({kind: 'error', message: expect.not.stringContaining('ya29.abcdef')});
  expect(classifyHelperGet(0, '{"Username":"x","Secret":""}', '')).toMatchObject({kind: 'error'});
});

test('renderDoctorReport: one line per check, the fix indented under warn and fail', () => {
  expect(
    renderDoctorReport([
      {check: 'docker-cli', status: 'ok', message: 'docker 24.0.7', fix: null},
      {check: 'helper', status: 'fail', message: 'not on PATH', fix: 'export PATH=...'},
      {check: 'vm-scopes', status: 'skip', message: 'none', fix: null},
    ]),
  ).toBe('ok    docker-cli: docker 24.0.7\nfail  helper: not on PATH\n      fix: export PATH=...\nskip  vm-scopes: none\n');
});
