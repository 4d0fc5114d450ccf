import {execa, execaSync} from 'execa';

import {startEmulatorProcess, type EmulatorProcess} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

// A real client that signs its service-account assertion for the key file's token_uri, as Go's
// golang.org/x/oauth2/jwt (docker-credential-gcr, crane) and older google-auth do: Debian's
// python3-oauth2client 4.1.3, whose ServiceAccountCredentials put `'aud': self.token_uri`
// (oauth2client/service_account.py) and post to that same URL. A key the emulator wrote must work
// with it, as Google's keys work with it at Google. Debian's python3, not whatever python3 is first
// on PATH, since that is where the package installs.

const PYTHON = '/usr/bin/python3';

// Reads the key, refreshes through the key's token_uri, then reads the project with the token.
const CLIENT = `
import json, sys
import httplib2
from oauth2client.service_account import ServiceAccountCredentials

key_file, url, project = sys.argv[1:4]
creds = ServiceAccountCredentials.from_json_keyfile_name(key_file, scopes=['https://www.googleapis.com/auth/cloud-platform'])
info = creds.get_access_token(httplib2.Http())
resp, content = creds.authorize(httplib2.Http()).request(url + '/cloudresourcemanager/v1/projects/' + project)
print(json.dumps({'token': info.access_token, 'expires_in': info.expires_in, 'status': resp.status, 'project': json.loads(content).get('projectId')}))
`;

const available = execaSync(PYTHON, ['-c', 'import oauth2client, httplib2'], {reject: false}).exitCode === 0;
if (!available) {
  sayWhySkipped("test/e2e/oauth2client skipped: /usr/bin/python3 cannot import oauth2client (.ci/run installs Debian's python3-oauth2client)");
}
const suite = available ? describe : describe.skip;

suite("oauth2client (aud = the key file's token_uri)", () => {
  let emu: EmulatorProcess;

  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });

  afterAll(async () => {
    await emu?.stop();
  });

  it('gets an access token with a key the emulator wrote and uses it', async () => {
    await emu.resetStats();
    const run = await execa(PYTHON, ['-c', CLIENT, emu.ownerKeyFile, emu.url, emu.project], {reject: false});
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const out = JSON.parse(run.stdout) as {token: string; expires_in: number; status: number; project: string};
    expect(out.token).toMatch(/^ya29\./);
    expect(out.expires_in).toBeGreaterThan(3500);
    expect({status: out.status, project: out.project}).toEqual({status: 200, project: emu.project});
    // What the client signed for: the key file's token_uri, the emulator's own token URL, not Google's.
    expect((await emu.stats()).assertionAudiences).toEqual({[`${emu.url}/token`]: 1});
  });
});
