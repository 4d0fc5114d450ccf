import {parseFormat, renderOutput} from '../../src/lib/output/format.js';
import {redactText, redactValue} from '../../src/lib/redact.js';

describe('--format', () => {
  const rows = [
    {account: 'a@x.com', status: 'ACTIVE', nested: {n: 1}},
    {account: 'b@x.com', status: '', nested: {n: 2}},
  ];
  const human = () => 'HUMAN\n';

  test.each([
    [undefined, 'HUMAN\n'],
    ['none', ''],
    ['value(account)', 'a@x.com\nb@x.com\n'],
    ['value(account,nested.n)', 'a@x.com\t1\nb@x.com\t2\n'],
    ['table(account,status)', 'ACCOUNT  STATUS\na@x.com  ACTIVE\nb@x.com\n'],
  ])('%s', async (format, expected) => {
    expect(await renderOutput(rows, parseFormat(format), human)).toBe(expected);
  });

  test('json and yaml', async () => {
    expect(JSON.parse(await renderOutput(rows, parseFormat('json'), human))).toEqual(rows);
    expect(await renderOutput({token: 't', expiry: 'e'}, parseFormat('yaml'), human)).toBe('token: t\nexpiry: e\n');
  });

  test.each(['xml', 'value()', 'value(a', 'json(x)'])('rejects %s with the accepted forms', (f) => {
    expect(() => parseFormat(f)).toThrow(/expected json, yaml, none, value\(FIELD,...\)/);
  });
});

test('yaml lays out lists as gcloud does, without indenting the dashes', async () => {
  const policy = {bindings: [{members: ['user:a@x.com'], role: 'roles/viewer'}], etag: 'BwY=', version: 1};
  expect(await renderOutput(policy, {kind: 'yaml'}, String)).toBe(
    'bindings:\n- members:\n  - user:a@x.com\n  role: roles/viewer\netag: BwY=\nversion: 1\n',
  );
});

describe('redaction', () => {
  test('hides tokens, JWTs, keys and secret fields', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln';
    const text = `assertion=${jwt}&grant_type=x Bearer ya29.abc-DEF token ya29.zzz -----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----`;
    const out = redactText(text);
    expect(out).not.toMatch(/ya29|eyJ|MII/);
    expect(out).toContain('grant_type=x');
    expect(redactValue({access_token: 'x', expires_in: 3599, nested: {refresh_token: 'r', ok: 'fine'}})).toEqual({
      access_token: '[REDACTED]',
      expires_in: 3599,
      nested: {refresh_token: '[REDACTED]', ok: 'fine'},
    });
  });

  test('hides Authorization credentials but leaves prose about basic roles alone', () => {
    expect(redactText('authorization: Basic b2F1dGgyYWNjZXNzdG9rZW46c2VjcmV0')).toBe('authorization: Basic [REDACTED]');
    expect(redactText('Authorization: Bearer opaque-token-1234567890')).toBe('Authorization: Bearer [REDACTED]');
    const prose = 'Binding with a condition and a basic role is not allowed. Basic roles are `roles/editor`.';
    expect(redactText(prose)).toBe(prose);
  });

  test("hides an STS exchange's subject token (opaque or AWS-signed), IAM Credentials' accessToken and AWS keys", () => {
    const form = 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=opaque-subject-123&subject_token_type=urn%3Ajwt';
    expect(redactText(form)).toBe('grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=[REDACTED]&subject_token_type=urn%3Ajwt');
    expect(redactValue({accessToken: 'opaque-1', expireTime: 't'})).toEqual({accessToken: '[REDACTED]', expireTime: 't'});
    expect(redactValue({AccessKeyId: 'AKIA', SecretAccessKey: 'k', Token: 's'})).toEqual({AccessKeyId: 'AKIA', SecretAccessKey: '[REDACTED]', Token: '[REDACTED]'});
  });
});
