import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {emulatorEnv, EmulatorNotRunningError, readEmulatorInfo, renderExports} from '../../src/emulator/env.js';
import {tmpDir} from '../helpers/emulator.js';

const info = {url: 'http://127.0.0.1:4321', pid: process.pid, project: 'demo-project', ownerKeyFile: '/x/owner-key.json'};

describe('emulator env-init core', () => {
  it('renders the GCAUTH_ exports, unquoted when safe', () => {
    expect(renderExports(emulatorEnv(info))).toBe(
      'export GCAUTH_AUTH_TOKEN_HOST=http://127.0.0.1:4321/token\n' +
        'export GCAUTH_AUTH_AUTH_HOST=http://127.0.0.1:4321/o/oauth2/v2/auth\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_IAM=http://127.0.0.1:4321/iam/\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=http://127.0.0.1:4321/cloudresourcemanager/\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS=http://127.0.0.1:4321/iamcredentials/\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://127.0.0.1:4321/artifactregistry/\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_SERVICEUSAGE=http://127.0.0.1:4321/serviceusage/\n' +
        'export GCAUTH_API_ENDPOINT_OVERRIDES_ORGPOLICY=http://127.0.0.1:4321/orgpolicy/\n' +
        'export GCAUTH_CORE_PROJECT=demo-project\n',
    );
  });

  it('renders the CLOUDSDK_ exports gcloud needs, with the GCE probes off', () => {
    const vars = Object.fromEntries(emulatorEnv(info, {gcloud: true}));
    expect(vars).toMatchObject({
      CLOUDSDK_AUTH_TOKEN_HOST: 'http://127.0.0.1:4321/token',
      CLOUDSDK_AUTH_AUTH_HOST: 'http://127.0.0.1:4321/o/oauth2/auth',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM: 'http://127.0.0.1:4321/iam/',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: 'http://127.0.0.1:4321/cloudresourcemanager/',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: 'http://127.0.0.1:4321/iamcredentials/',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: 'http://127.0.0.1:4321/artifactregistry/',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: 'http://127.0.0.1:4321/serviceusage/',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ORGPOLICY: 'http://127.0.0.1:4321/orgpolicy/',
      CLOUDSDK_CORE_PROJECT: 'demo-project',
      CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    });
    expect(Object.keys(vars).every((k) => k.startsWith('CLOUDSDK_'))).toBe(true);
  });

  it("renders a registry's REGISTRY_AUTH_TOKEN_ overrides from emulator.json, and refuses an emulator without a registry front", () => {
    const registry = {realm: `${info.url}/v2/token`, service: 'gcauth-emulator-registry', issuer: 'gcauth-emulator', rootCertBundle: '/x/registry-token.crt'};
    expect(renderExports(emulatorEnv({...info, registry}, {registry: true}))).toBe(
      'export REGISTRY_AUTH_TOKEN_REALM=http://127.0.0.1:4321/v2/token\n' +
        'export REGISTRY_AUTH_TOKEN_SERVICE=gcauth-emulator-registry\n' +
        'export REGISTRY_AUTH_TOKEN_ISSUER=gcauth-emulator\n' +
        'export REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE=/x/registry-token.crt\n',
    );
    expect(() => emulatorEnv(info, {registry: true})).toThrow(EmulatorNotRunningError);
  });

  it("adds a GitHub job's ACTIONS_ID_TOKEN_REQUEST_ lines with --ci, to gcauth's or gcloud's, and refuses an emulator without a CI issuer", () => {
    const ci = {issuer: `${info.url}/ci`, requestUrl: `${info.url}/ci/token?api-version=2.0`, requestToken: 'secret-of-the-job'};
    const lines = renderExports(emulatorEnv({...info, ci}, {ci: true}));
    expect(lines.endsWith(
      "export ACTIONS_ID_TOKEN_REQUEST_URL='http://127.0.0.1:4321/ci/token?api-version=2.0'\n" + 'export ACTIONS_ID_TOKEN_REQUEST_TOKEN=secret-of-the-job\n',
    )).toBe(true);
    expect(lines.startsWith(renderExports(emulatorEnv(info)))).toBe(true);
    expect(Object.fromEntries(emulatorEnv({...info, ci}, {gcloud: true, ci: true}))).toMatchObject({ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-of-the-job'});
    expect(renderExports(emulatorEnv({...info, ci}))).not.toContain('ACTIONS_');
    expect(() => emulatorEnv(info, {ci: true})).toThrow('has no CI token issuer');
  });

  it('single-quotes a value a shell would split', () => {
    expect(renderExports([['K', "it's a dir"]])).toBe(`export K='it'\\''s a dir'\n`);
  });

  it('reads a live emulator.json and refuses missing, malformed or dead ones', async () => {
    const dir = tmpDir();
    await expect(readEmulatorInfo(dir)).rejects.toThrow(EmulatorNotRunningError);
    await expect(readEmulatorInfo(dir)).rejects.toThrow(`No emulator is running for ${dir}`);

    const file = path.join(dir, 'emulator.json');
    writeFileSync(file, '{');
    await expect(readEmulatorInfo(dir)).rejects.toThrow('is not valid JSON');
    writeFileSync(file, JSON.stringify({url: info.url}));
    await expect(readEmulatorInfo(dir)).rejects.toThrow('lacks url, pid, project or ownerKeyFile');
    writeFileSync(file, JSON.stringify({...info, pid: 2 ** 22 + 12345}));
    await expect(readEmulatorInfo(dir)).rejects.toThrow('is no longer running');
    writeFileSync(file, JSON.stringify(info));
    await expect(readEmulatorInfo(dir)).resolves.toEqual(info);
  });
});
