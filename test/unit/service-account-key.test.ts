import {generateKeyPairSync} from 'node:crypto';

import {parseServiceAccountKey} from '../../src/lib/auth/credentials/service-account-key.js';
import {UsageError} from '../../src/lib/errors.js';

const pem = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
const good = {type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: pem, private_key_id: 'abc'};

describe('parseServiceAccountKey', () => {
  test('accepts a Google JSON key', () => {
    expect(parseServiceAccountKey(JSON.stringify(good), 'k.json').client_email).toBe('ci@p.iam.gserviceaccount.com');
  });

  test.each([
    ['empty', '', /is empty/],
    ['not JSON', '{nope', /not valid JSON/],
    ['an array', '[]', /expected an object/],
    ['wrong type', JSON.stringify({...good, type: 'authorized_user'}), /type \[authorized_user\].*auth login --cred-file/],
    ['no type field', JSON.stringify({...good, type: undefined}), /^Key file \[k\.json\] has no "type" field; expected a service-account key/],
    ['missing client_email', JSON.stringify({...good, client_email: undefined}), /lacks required field\(s\): client_email/],
    ['missing private_key', JSON.stringify({...good, private_key: ''}), /lacks required field\(s\): private_key/],
    ['garbage private key', JSON.stringify({...good, private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'}), /private_key that cannot be read/],
    ['bad email', JSON.stringify({...good, client_email: 'nobody'}), /invalid client_email/],
  ])('rejects %s with one line', (_name, text, message) => {
    let error: unknown;
    try {
      parseServiceAccountKey(text, 'k.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toContain('BEGIN');
  });
});
