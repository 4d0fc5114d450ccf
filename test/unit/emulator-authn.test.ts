import {Authenticator, hasAnyScope, type Authentication} from '../../src/emulator/authn.js';
import {EmulatorState} from '../../src/emulator/state.js';
import {tmpDir} from '../helpers/emulator.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const HOUR_S = 3600;

let clock = Date.parse('2030-01-01T00:00:00Z');
let state: EmulatorState;
let authn: Authenticator;

beforeEach(async () => {
  clock = Date.parse('2030-01-01T00:00:00Z');
  ({state} = await EmulatorState.open(tmpDir(), {project: 'authn-proj', users: ['ana@example.org'], now: () => clock}));
  authn = new Authenticator(state);
});

const token = (t: string) => authn.authenticate({kind: 'access-token', token: t});
const keyFile = (json: unknown) => authn.authenticate({kind: 'key-file', json: typeof json === 'string' ? json : JSON.stringify(json)});
const refusal = (a: Authentication) => (a.ok ? 'accepted' : a.detail === undefined ? a.reason : `${a.reason} ${a.detail}`);

function accountToken(accountId: string, scopes = [CLOUD_PLATFORM]): string {
  const account = state.createServiceAccount('authn-proj', accountId);
  return state.issueAccessToken(account.email, scopes, account.uniqueId, HOUR_S).token;
}

describe('Authenticator: access tokens', () => {
  it("names a service account's token by its member and the public ones, with its scopes and expiry", () => {
    const t = accountToken('builder', [CLOUD_PLATFORM, 'openid']);
    const verdict = token(t);
    if (!verdict.ok) throw new Error(verdict.reason);
    const email = 'builder@authn-proj.iam.gserviceaccount.com';
    expect(verdict.identity.subject).toMatchObject({kind: 'serviceAccount', account: {email}});
    expect(verdict.identity.email).toBe(email);
    expect([...verdict.identity.principals]).toEqual([`serviceAccount:${email}`, 'allUsers', 'allAuthenticatedUsers']);
    expect(verdict.identity.scopes).toEqual([CLOUD_PLATFORM, 'openid']);
    expect(verdict.identity.expiresAt).toBe(clock + HOUR_S * 1000);
  });

  it("names a user's token by user: and domain:", () => {
    const t = state.issueAccessToken('ana@example.org', [CLOUD_PLATFORM], 'client-1.apps.googleusercontent.com', HOUR_S).token;
    const verdict = token(t);
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(verdict.identity.subject.kind).toBe('user');
    expect([...verdict.identity.principals]).toEqual(['user:ana@example.org', 'domain:example.org', 'allUsers', 'allAuthenticatedUsers']);
  });

  it('refuses no token, an unknown one, an expired one and a revoked one', () => {
    expect(refusal(authn.authenticate(undefined))).toBe('missing');
    expect(refusal(token('ya29.never-issued'))).toBe('invalid-token');
    const expiring = accountToken('expiring');
    clock += HOUR_S * 1000;
    expect(refusal(token(expiring))).toBe('invalid-token');
    const revoked = accountToken('revoked');
    state.revokeAccessToken(revoked);
    expect(refusal(token(revoked))).toBe('invalid-token');
  });

  it('refuses the token of an account since disabled, deleted, or deleted and re-created', () => {
    const email = (id: string) => `${id}@authn-proj.iam.gserviceaccount.com`;
    const disabled = accountToken('disabled');
    state.setServiceAccountDisabled(email('disabled'), true);
    expect(refusal(token(disabled))).toBe('account-disabled');
    const deleted = accountToken('deleted');
    state.deleteServiceAccount(email('deleted'));
    expect(refusal(token(deleted))).toBe('account-gone');
    const recreated = accountToken('recreated');
    state.deleteServiceAccount(email('recreated'));
    state.createServiceAccount('authn-proj', 'recreated');
    expect(refusal(token(recreated))).toBe('account-gone');
    // A token for an email that is neither an account nor a user stands for no one.
    const orphan = state.issueAccessToken('ghost@example.org', [CLOUD_PLATFORM], 'client', HOUR_S).token;
    expect(refusal(token(orphan))).toBe('account-gone');
  });

  it('describes a live token for tokeninfo even when its account no longer stands', () => {
    const t = accountToken('described');
    const account = state.serviceAccount('described@authn-proj.iam.gserviceaccount.com')!;
    state.setServiceAccountDisabled(account.email, true);
    expect(authn.describe(t)).toMatchObject({sub: account.uniqueId, record: {email: account.email}});
    expect(authn.describe('ya29.never-issued')).toBeUndefined();
  });
});

describe('Authenticator: service-account key files', () => {
  async function newKey(accountId: string) {
    const account = state.createServiceAccount('authn-proj', accountId);
    const {key, privateKeyPem} = await state.addServiceAccountKey(account.email);
    return {client_email: account.email, private_key_id: key.keyId, private_key: privateKeyPem};
  }

  it('accepts a valid key of an enabled account, unlimited by scopes', async () => {
    const file = await newKey('keyed');
    const verdict = keyFile(file);
    if (!verdict.ok) throw new Error(verdict.reason);
    expect([...verdict.identity.principals]).toEqual([`serviceAccount:${file.client_email}`, 'allUsers', 'allAuthenticatedUsers']);
    expect(verdict.identity.scopes).toBeUndefined();
    expect(hasAnyScope(verdict.identity, ['https://www.googleapis.com/auth/devstorage.read_write'])).toBe(true);
    // Without private_key_id any live key of the account may match.
    const {private_key_id: _id, ...anonymous} = file;
    expect(keyFile(anonymous).ok).toBe(true);
  });

  it('says why a key is refused', async () => {
    const file = await newKey('refused');
    const other = await newKey('other');
    expect(refusal(keyFile('not json'))).toBe('bad-key-file');
    expect(refusal(keyFile({client_email: file.client_email}))).toBe('bad-key-file');
    expect(refusal(keyFile({...file, private_key: 'garbage'}))).toBe('bad-key-file');
    expect(refusal(keyFile({...file, client_email: 'nobody@authn-proj.iam.gserviceaccount.com'}))).toBe('key-account nobody@authn-proj.iam.gserviceaccount.com');
    expect(refusal(keyFile({...file, private_key_id: 'f00d'}))).toBe('key-unknown f00d');
    expect(refusal(keyFile({...file, private_key: other.private_key}))).toBe(`key-mismatch ${file.private_key_id}`);
    state.setServiceAccountKeyDisabled(file.client_email, file.private_key_id, true);
    expect(refusal(keyFile(file))).toBe(`key-unknown ${file.private_key_id}`);
    state.setServiceAccountDisabled(other.client_email, true);
    expect(refusal(keyFile(other))).toBe(`key-account ${other.client_email}`);
  });
});
