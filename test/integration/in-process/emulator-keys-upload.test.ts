/**
 * The emulator's IAM `keys:upload`, as a client other than gcauth calls it: what it takes (a PEM X.509 certificate
 * wrapping an RSA-2048 key, base64 in `publicKeyData`), what it answers, and what it refuses with nothing changed.
 */
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {certifiedKeyPair} from '../../helpers/certificates.js';
import {accessTokenFor, adminState, callApi, permissionDenied, postToken, readKeyFile, signAssertion, tmpDir} from '../../helpers/emulator.js';

let emu: RunningEmulator;
let owner: string;
let account: string;

beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir()});
  owner = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  account = emu.state.createServiceAccount(emu.project, 'uploader').email;
});
afterAll(() => emu.close());

const upload = (publicKeyData: unknown, token: string | undefined = owner, project = '-') =>
  callApi(emu.url, token, 'POST', `/iam/v1/projects/${project}/serviceAccounts/${account}/keys:upload?alt=json`, publicKeyData === undefined ? {} : {publicKeyData});
const b64 = (text: string) => Buffer.from(text).toString('base64');
const badRequest = (description: string) => ({
  status: 400,
  body: {error: {code: 400, message: description, status: 'INVALID_ARGUMENT', details: [{'@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{field: 'public_key_data', description}]}]}},
});
const answer = (r: {status: number; body: unknown}) => ({status: r.status, body: r.body});

describe('keys:upload', () => {
  it('answers the new key in Google\'s order: user-managed, USER_PROVIDED, valid over the certificate\'s window, id = its SHA-1', async () => {
    const pair = certifiedKeyPair();
    const r = await upload(b64(pair.certificatePem));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['name', 'validAfterTime', 'validBeforeTime', 'keyAlgorithm', 'keyOrigin', 'keyType']);
    expect(r.body).toEqual({
      name: `projects/${emu.project}/serviceAccounts/${account}/keys/${pair.fingerprint}`,
      validAfterTime: pair.validAfterTime,
      validBeforeTime: pair.validBeforeTime,
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      keyOrigin: 'USER_PROVIDED',
      keyType: 'USER_MANAGED',
    });
    // The token endpoint takes an assertion signed by the private half, named by the key id or not at all.
    const key = {...readKeyFile(emu.ownerKeyFile), client_email: account, private_key_id: pair.fingerprint, private_key: pair.privateKeyPem};
    expect((await postToken(emu.url, signAssertion(key))).status).toBe(200);
    expect((await postToken(emu.url, signAssertion(key, {}, {kid: undefined}))).status).toBe(200);
  });

  it('refuses what is not an RSA-2048 certificate, an expired one, and a caller without iam.serviceAccountKeys.create, changing nothing', async () => {
    const before = await adminState(emu.url);
    expect(answer(await upload(undefined))).toEqual(badRequest('public_key_data is required: the base64 of a PEM X.509 certificate wrapping an RSA public key.'));
    const notPem = 'public_key_data is not a PEM X.509 certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----).';
    expect(answer(await upload(b64(certifiedKeyPair().privateKeyPem)))).toEqual(badRequest(notPem));
    expect(answer(await upload(b64('-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n')))).toEqual(badRequest(notPem));
    expect(answer(await upload(b64(certifiedKeyPair({type: 'ec'}).certificatePem)))).toEqual(badRequest('The certificate must wrap a 2048-bit RSA public key.'));
    const expired = await upload(b64(certifiedKeyPair({days: -1}).certificatePem));
    expect(expired.status).toBe(400);
    expect((expired.body.error as {message: string}).message).toMatch(/^The certificate expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; upload one that is still valid\.$/);
    const stranger = emu.state.createServiceAccount(emu.project, 'stranger');
    const {key, privateKeyPem} = await emu.state.addServiceAccountKey(stranger.email);
    const token = await accessTokenFor(emu.url, {...readKeyFile(emu.ownerKeyFile), client_email: stranger.email, private_key_id: key.keyId, private_key: privateKeyPem});
    const resource = `projects/-/serviceAccounts/${account}`;
    expect(answer(await upload(b64(certifiedKeyPair().certificatePem), token))).toEqual(permissionDenied('iam.serviceAccountKeys.create', resource));
    emu.state.deleteServiceAccount(stranger.email);
    expect(await adminState(emu.url)).toEqual(before);
  });

  it('keeps to ten user-managed keys, as key creation does', async () => {
    const userKeys = () => Object.values(emu.state.serviceAccount(account)!.keys).filter((k) => k.keyType === 'USER_MANAGED').length;
    while (userKeys() < 10) expect((await upload(b64(certifiedKeyPair().certificatePem))).status).toBe(200);
    const r = await upload(b64(certifiedKeyPair().certificatePem));
    expect({status: r.status, error: r.body.error}).toMatchObject({status: 400, error: {status: 'FAILED_PRECONDITION'}});
    expect(userKeys()).toBe(10);
  });
});
