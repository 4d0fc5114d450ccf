import {readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {startEmulator} from '../../../src/emulator/server.js';
import type {StateData} from '../../../src/emulator/records.js';
import {StateFileError} from '../../../src/emulator/state.js';
import {postToken, readKeyFile, signAssertion, tmpDir} from '../../helpers/emulator.js';

const mode = (file: string) => statSync(file).mode & 0o777;
const readState = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as StateData;

describe('emulator state', () => {
  it('creates project, owner and key on first start, private files 0600 in a 0700 dir', async () => {
    const dir = path.join(tmpDir(), 'nested', 'data');
    const emu = await startEmulator({dataDir: dir, project: 'my-proj', users: ['dev@example.com']});
    try {
      expect(mode(dir)).toBe(0o700);
      for (const f of ['state.json', 'owner-key.json', 'emulator.json']) expect(mode(path.join(dir, f))).toBe(0o600);

      const key = readKeyFile(emu.ownerKeyFile);
      expect(Object.keys(key)).toEqual([
        'type', 'project_id', 'private_key_id', 'private_key', 'client_email', 'client_id',
        'auth_uri', 'token_uri', 'auth_provider_x509_cert_url', 'client_x509_cert_url', 'universe_domain',
      ]);
      expect(key).toMatchObject({
        type: 'service_account',
        project_id: 'my-proj',
        client_email: 'emulator-owner@my-proj.iam.gserviceaccount.com',
        token_uri: `${emu.url}/token`,
        universe_domain: 'googleapis.com',
      });
      expect(key.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      expect(key.private_key_id).toMatch(/^[0-9a-f]{40}$/);

      const info = JSON.parse(readFileSync(path.join(dir, 'emulator.json'), 'utf8')) as unknown;
      expect(info).toEqual({url: emu.url, pid: process.pid, project: 'my-proj', ownerKeyFile: emu.ownerKeyFile, registry: emu.registry, ci: emu.ci});

      const state = readState(dir);
      const owner = state.serviceAccounts[key.client_email]!;
      expect(owner.uniqueId).toBe(key.client_id);
      expect(owner.uniqueId).toMatch(/^[1-9]\d{20}$/);
      // Google keeps only the public half of a key; so does the emulator.
      expect(JSON.stringify(owner)).not.toContain('PRIVATE KEY');
      expect(owner.keys[key.private_key_id]!.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      expect(state.projects['my-proj']!.iamPolicy.bindings).toEqual([
        {role: 'roles/owner', members: [`serviceAccount:${key.client_email}`]},
      ]);
      expect(state.projects['my-proj']!.projectNumber).toMatch(/^[1-9]\d{11}$/);
      expect(Object.keys(state.users)).toEqual(['dev@example.com']);
    } finally {
      await emu.close();
    }
    expect(() => statSync(path.join(dir, 'emulator.json'))).toThrow();
  });

  it('survives a restart on another port: same project, owner key and tokens; token_uri follows the URL', async () => {
    const dir = tmpDir();
    const first = await startEmulator({dataDir: dir, project: 'first-proj'});
    const key = readKeyFile(first.ownerKeyFile);
    const token = String((await postToken(first.url, signAssertion(key))).body.access_token);
    const signingKid = first.state.idTokenSigningKey.kid;
    await first.close();

    // --project is only for first start: existing state wins.
    const second = await startEmulator({dataDir: dir, project: 'ignored'});
    try {
      expect(second.project).toBe('first-proj');
      const again = readKeyFile(second.ownerKeyFile);
      expect({...again, token_uri: ''}).toEqual({...key, token_uri: ''});
      expect(again.token_uri).toBe(`${second.url}/token`);
      expect(second.state.idTokenSigningKey.kid).toBe(signingKid);
      expect((await fetch(`${second.url}/tokeninfo?access_token=${token}`)).status).toBe(200);
      expect((await postToken(second.url, signAssertion(again))).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('mints a new owner key when owner-key.json was removed', async () => {
    const dir = tmpDir();
    const first = await startEmulator({dataDir: dir});
    const oldKey = readKeyFile(first.ownerKeyFile);
    await first.close();
    rmSync(path.join(dir, 'owner-key.json'));

    const logs: string[] = [];
    const second = await startEmulator({dataDir: dir, log: (l) => logs.push(l)});
    try {
      const newKey = readKeyFile(second.ownerKeyFile);
      expect(newKey.private_key_id).not.toBe(oldKey.private_key_id);
      expect(mode(second.ownerKeyFile)).toBe(0o600);
      expect((await postToken(second.url, signAssertion(newKey))).status).toBe(200);
      expect(logs.join('\n')).toContain('minted key');
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file instead of starting afresh over it', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'state.json'), '{not json');
    await expect(startEmulator({dataDir: dir})).rejects.toThrow(StateFileError);
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({version: 99}));
    await expect(startEmulator({dataDir: dir})).rejects.toThrow('state version 99');
  });

  it('prunes expired tokens when it saves', async () => {
    let offset = 0;
    const dir = tmpDir();
    const emu = await startEmulator({dataDir: dir, now: () => Date.now() + offset, tokenLifetimeSeconds: 60});
    try {
      const key = readKeyFile(emu.ownerKeyFile);
      await postToken(emu.url, signAssertion(key));
      expect(Object.keys(readState(dir).accessTokens)).toHaveLength(1);
      offset = 120_000;
      await emu.state.save();
      expect(Object.keys(readState(dir).accessTokens)).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });
});
