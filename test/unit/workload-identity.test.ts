/** The Workload Identity Federation rules checked before any request: members, ids, locations, mappings, audiences, durations, dict flags, and the JSON gcloud writes. */
import {parseArgDict, splitArgList} from '../../src/lib/iam/arg-dict.js';
import {buildCredentialConfig, pythonJson, validateAudienceResource} from '../../src/lib/iam/cred-config.js';
import {validateMember, validateWorkloadIdentityId, validateWorkloadIdentityLocation} from '../../src/lib/iam/validate.js';
import {parseAttributeMapping} from '../../src/lib/iam/workload-identity.js';
import {parseDuration} from '../../src/lib/validators.js';
import {usageMessage} from '../helpers/usage-error.js';

const POOL = 'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool';
const SET = 'principalSet://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool';

describe('validateMember: workload identity pool members', () => {
  test.each([
    `${POOL}/subject/repo:my-org/app:ref:refs/heads/main`,
    `${POOL}/subject/arn:aws:sts::123456789012:assumed-role/ci/i-0abc`,
    `${SET}/attribute.repository/my-org/app`,
    `${SET}/group/admins`,
    `${SET}/*`,
    `deleted:${POOL}/subject/alice`,
    'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/my-proj.svc.id.goog/subject/ns/default/sa/app',
    'principalSet://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/my-proj.svc.id.goog/namespace/default',
  ])('accepts %s', (member) => {
    expect(validateMember(member)).toBe(member);
  });

  test.each<[string, string, string | undefined]>([
    [`${POOL}/attribute.repository/my-org/app`, 'principal:// names one identity', `${SET}/attribute.repository/my-org/app`],
    [`${POOL}/*`, 'principal:// names one identity', `${SET}/*`],
    [`${SET}/subject/alice`, 'principalSet:// names a set', `${POOL}/subject/alice`],
    [`${POOL}/subject/`, 'principal:// of a pool ends in /subject/SUBJECT', undefined],
    [`${SET}/attribute.Repo/x`, 'the attribute name [Repo] may use only [a-z0-9_]', undefined],
    [`${SET}/attribute.repository/`, 'the attribute value is empty', undefined],
    [`${SET}/everyone`, 'principalSet:// of a pool ends in /group/GROUP, /attribute.NAME/VALUE or /*', undefined],
    ['principal://iam.googleapis.com/projects/my-project/locations/global/workloadIdentityPools/gh-pool/subject/a', 'by its project NUMBER, not [my-project]', undefined],
    [
      'principal://iam.googleapis.com/projects/1/locations/us/workloadIdentityPools/gh-pool/subject/a',
      'exist only in location global',
      'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh-pool/subject/a',
    ],
    ['principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gcp-x/subject/a', 'the pool id [gcp-x]: the prefix gcp- is reserved', undefined],
    ['principalSet://iam.googleapis.com/projects/1/workloadIdentityPools/p/*', 'names its project number, location and pool', undefined],
  ])('rejects %s (%s)', (member, reason, suggestion) => {
    const message = usageMessage(() => validateMember(member));
    expect(message).toContain(`Invalid --member [${member.length > 120 ? member.slice(0, 117) : member}`);
    expect(message).toContain(reason);
    expect(message).toContain('expected principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/subject/SUBJECT');
    if (suggestion) expect(message).toContain(`Did you mean ${suggestion}?`);
    else expect(message).not.toContain('Did you mean');
  });

  test('leaves other principal:// identifiers to their outline check', () => {
    expect(validateMember('principal://iam.googleapis.com/locations/global/workforcePools/p/subject/alice')).toBeTruthy();
    expect(validateMember('principalSet://cloudresourcemanager.googleapis.com/projects/123/type/ServiceAccount')).toBeTruthy();
  });
});

describe('pool and provider ids, locations', () => {
  test.each(['abcd', 'gh-pool', 'a'.repeat(32), '0pool', 'pool-'])('accepts %s', (id) => expect(validateWorkloadIdentityId(id)).toBe(id));
  test.each<[string, string, string | undefined]>([
    ['abc', 'it has 3 characters', undefined],
    ['a'.repeat(33), 'it has 33 characters', undefined],
    ['GH_Pool', 'it has upper-case letters', 'gh-pool'],
    ['gh.pool', 'it contains [.]', 'gh-pool'],
    ['gcp-pool', 'the prefix gcp- is reserved for Google', undefined],
  ])('rejects %s', (id, reason, suggestion) => {
    const message = usageMessage(() => validateWorkloadIdentityId(id, 'PROVIDER'));
    expect(message).toContain(`Invalid PROVIDER [${id}]: ${reason}; expected 4 to 32 lower-case letters, digits or hyphens, not starting with gcp-`);
    if (suggestion) expect(message).toContain(`Did you mean ${suggestion}?`);
    else expect(message).not.toContain('Did you mean');
  });
  test('only global is a location', () => {
    expect(validateWorkloadIdentityLocation('global')).toBe('global');
    expect(usageMessage(() => validateWorkloadIdentityLocation('Global'))).toBe('Invalid --location [Global]: expected global. Did you mean global?');
    expect(usageMessage(() => validateWorkloadIdentityLocation('us-east1'))).toBe('Invalid --location [us-east1]: workload identity pools exist only in location global; expected global.');
  });
});

describe('parseAttributeMapping', () => {
  test('keeps the order, and commas inside a string literal or brackets in the expression', () => {
    expect(parseAttributeMapping("google.subject=assertion.sub,attribute.env=assertion.ref in ['a', 'b'] ? 'x,y' : 'z',attribute.repo=assertion.repository")).toEqual({
      'google.subject': 'assertion.sub',
      'attribute.env': "assertion.ref in ['a', 'b'] ? 'x,y' : 'z'",
      'attribute.repo': 'assertion.repository',
    });
    expect(parseAttributeMapping('^;^google.subject=assertion.sub;google.groups=assertion.groups')).toEqual({'google.subject': 'assertion.sub', 'google.groups': 'assertion.groups'});
  });
  test.each<[string, string]>([
    ['attribute.a=assertion.a', 'it must map google.subject'],
    ['google.subject=assertion.sub,google.foo=assertion.x', '[google.foo] is not a Google attribute'],
    ['google.subject=assertion.sub,subject=assertion.x', '[subject] is neither google.NAME nor attribute.NAME'],
    ['google.subject=assertion.sub,attribute.a-b=x', 'may use only [a-z0-9_] after attribute.'],
    ['google.subject=', 'google.subject has no expression'],
    ['google.subject=a,google.subject=b', 'google.subject is given twice'],
    ['', 'it is empty'],
    [`google.subject=${'x'.repeat(2049)}`, 'the expression of google.subject has 2049 characters; at most 2048'],
  ])('rejects %j', (value, reason) => {
    expect(usageMessage(() => parseAttributeMapping(value))).toContain(reason);
  });
});

describe('gcloud dict flags and durations', () => {
  test('splitArgList: commas, ^DELIM^, one trailing delimiter ignored', () => {
    expect(splitArgList('a=1,b=2,')).toEqual({delimiter: ',', pieces: ['a=1', 'b=2']});
    expect(splitArgList('^:^a=1,2:b=3')).toEqual({delimiter: ':', pieces: ['a=1,2', 'b=3']});
    expect(splitArgList('^^a')).toBeUndefined();
    expect(splitArgList('')).toEqual({delimiter: ',', pieces: []});
  });
  test("parseArgDict: the last of a repeated key in the first one's place, as gcloud", () => {
    expect([...parseArgDict('Z=1,A=2,Z=3,e=', 'X', {form: 'K=V'})]).toEqual([['Z', '3'], ['A', '2'], ['e', '']]);
    expect(usageMessage(() => parseArgDict('=v', 'X', {form: 'K=V'}))).toContain('[=v] is not KEY=VALUE');
  });
  test.each<[string, 's' | 'ms', number]>([
    ['600', 's', 600],
    ['1h', 's', 3600],
    ['1h30m', 's', 5400],
    ['10.5m', 's', 630],
    ['PT1H', 's', 3600],
    ['P1D', 's', 86_400],
    ['5000', 'ms', 5],
    ['7.5s', 'ms', 7.5],
    ['500ms', 's', 0.5],
  ])('parseDuration(%j, %s) is %d s', (value, unit, seconds) => {
    expect(parseDuration(value, unit)).toBe(seconds);
  });
  test.each(['abc', '600.5', '', 'h', 'P1M', '1x'])('parseDuration(%j) is a problem', (value) => {
    expect(parseDuration(value, 's')).toEqual({problem: expect.stringMatching(/^expected /)});
  });
});

describe('the credential configuration', () => {
  const AUDIENCE = 'projects/1/locations/global/workloadIdentityPools/pool/providers/prov';
  test("pythonJson escapes what Python's json.dumps escapes, and ends without a newline", () => {
    expect(pythonJson({a: 'é\u007f😀"\\\n'})).toBe('{\n  "a": "\\u00e9\\u007f\\ud83d\\ude00\\"\\\\\\n"\n}');
  });
  test('keys in gcloud order; token_info_url only without impersonation', () => {
    expect(Object.keys(buildCredentialConfig({audience: AUDIENCE, outputFile: 'f', aws: true}))).toEqual([
      'universe_domain',
      'type',
      'audience',
      'subject_token_type',
      'token_url',
      'credential_source',
      'token_info_url',
    ]);
    expect(Object.keys(buildCredentialConfig({audience: AUDIENCE, outputFile: 'f', aws: true, serviceAccount: 'a@b.iam.gserviceaccount.com', serviceAccountTokenLifetimeSeconds: '1h'})).slice(6)).toEqual([
      'service_account_impersonation_url',
      'service_account_impersonation',
    ]);
  });
  test('the audience is a workload or workforce provider, relative', () => {
    expect(validateAudienceResource(AUDIENCE)).toBe(AUDIENCE);
    expect(validateAudienceResource('locations/global/workforcePools/wf/providers/p')).toBe('locations/global/workforcePools/wf/providers/p');
    expect(usageMessage(() => validateAudienceResource('projects/1/locations/global/workloadIdentityPools/pool/providers/prov x'))).toContain('Invalid AUDIENCE provider id [prov x]: it contains [ ]');
  });
});
