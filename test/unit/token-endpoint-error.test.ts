import {toTokenEndpointError} from '../../src/lib/auth/tokens/token-endpoint-error.js';

const URL = 'http://127.0.0.1:1/token';
const httpError = (status: number, data: unknown = {}) => Object.assign(new Error(`HTTP ${status}`), {response: {status, data}});

describe('toTokenEndpointError', () => {
  test.each([
    ['a 503', httpError(503), true],
    ['a 500', httpError(500), true],
    ['a 429', httpError(429), true],
    ['a reset connection', Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}), true],
    ['a reset inside fetch', Object.assign(new Error('fetch failed'), {cause: {code: 'UND_ERR_SOCKET'}}), true],
    ['a timeout', Object.assign(new Error('The operation was aborted due to timeout'), {name: 'TimeoutError'}), true],
    ['a refused grant', httpError(400, {error: 'invalid_grant', error_description: 'Invalid JWT Signature.'}), false],
    ['a refused client', httpError(401, {error: 'invalid_client'}), false],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}), false],
  ])('%s is transient: %s', (_name, error, transient) => {
    expect(toTokenEndpointError(error, URL).details.transient).toBe(transient);
  });

  test('keeps the OAuth error and description for the message', () => {
    const e = toTokenEndpointError(httpError(400, {error: 'invalid_grant', error_description: 'Invalid JWT Signature.'}), URL);
    expect(e.message).toBe('invalid_grant: Invalid JWT Signature.');
    expect(e.details).toMatchObject({status: 400, oauthError: 'invalid_grant'});
  });
});
