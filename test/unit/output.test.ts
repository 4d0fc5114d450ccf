import vm from 'node:vm';

import {parseFormat, renderOutput, renderTable} from '../../src/lib/output/format.js';
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
    expect(await renderOutput({token: 't', expiry: 'e'}, parseFormat('yaml'), human)).toBe('expiry: e\ntoken: t\n');
  });

  test('json sorts the keys at every level, as gcloud\'s printer (sort_keys=True); a Date keeps its own text', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(await renderOutput({b: 1, a: {d: [{z: 1, y: 2}], c: at}}, parseFormat('json'), human)).toBe(
      '{\n  "a": {\n    "c": "2026-01-02T03:04:05.000Z",\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  test('an object made in another realm (a parsed response) is sorted too', async () => {
    const foreign = vm.runInNewContext('({role: "r", members: ["m"]})') as object;
    expect(await renderOutput(foreign, parseFormat('yaml'), human)).toBe('members:\n- m\nrole: r\n');
  });

  test('yaml prints a list as gcloud streams one (every record opened by ---), one resource bare, an empty list as nothing', async () => {
    expect(await renderOutput([{b: 1, a: 2}, {a: 3}], parseFormat('yaml'), human)).toBe('---\na: 2\nb: 1\n---\na: 3\n');
    expect(await renderOutput({a: 3}, parseFormat('yaml'), human)).toBe('a: 3\n');
    expect(await renderOutput([], parseFormat('yaml'), human)).toBe('');
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

describe('a table title', () => {
  const rows = (width: number) => [{a: 'x'.repeat(width)}];
  // Python's str.center, which gcloud's table printer uses: 'ab'.center(5) == '  ab ', 'abc'.center(6) == ' abc  '.
  test.each([
    [5, 'ab', '  ab\n'],
    [6, 'abc', ' abc\n'],
    [7, 'abc', '  abc\n'],
  ])('over a %i-wide column, %s is centred as Python centres it', (width, title, line) => {
    expect(renderTable(rows(width), ['a'], undefined, title).split('\n')[0]! + '\n').toBe(line);
  });

  test('wider than the columns, it widens each of them as gcloud does', () => {
    // 2 columns of 1 and 2 under a 9-character title: each widens by ceil(9 / 2) = 5, so 6 + 7 (+2 between) = 15.
    expect(renderTable([{a: 'x', b: 'yy'}], ['a', 'b'], ['A', 'BB'], 'ABCDEFGHI')).toBe('   ABCDEFGHI\nA       BB\nx       yy\n');
  });
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
