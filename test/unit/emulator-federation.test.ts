import {celSyntaxProblem, extractTemplate} from '../../src/emulator/cel.js';
import {DEFAULT_AWS_MAPPING, federatedMembers, mapCredential, parseAudience, validFederatedMember} from '../../src/emulator/federation.js';

const POOL = 'projects/123456/locations/global/workloadIdentityPools/gh-pool';

describe('extract() templates', () => {
  it('returns what the placeholder covers, or empty when the template does not match', () => {
    const arn = 'arn:aws:sts::123456789012:assumed-role/ci-role/session-1';
    expect(extractTemplate(arn, 'assumed-role/{role_name}/')).toBe('ci-role');
    expect(extractTemplate(arn, '{account_arn}assumed-role/')).toBe('arn:aws:sts::123456789012:');
    expect(extractTemplate(arn, 'session-{n}')).toBe('1');
    expect(extractTemplate(arn, 'user/{name}/')).toBe('');
    expect(extractTemplate(arn, 'no placeholder')).toBe('');
  });
});

describe('attribute mapping and condition (CEL through @bufbuild/cel)', () => {
  const github = {sub: 'repo:octo/app:ref:refs/heads/main', repository: 'octo/app', repository_owner: 'octo', teams: ['a', 'b']};
  const mapping = {'google.subject': 'assertion.sub', 'google.groups': 'assertion.teams', 'attribute.repository': 'assertion.repository', 'attribute.owner': "assertion.sub.split(':')[1].split('/')[0]"};

  it('maps the subject, groups and custom attributes', () => {
    expect(mapCredential({attributeMapping: mapping}, github)).toEqual({
      ok: true,
      identity: {subject: github.sub, groups: ['a', 'b'], attributes: {repository: ['octo/app'], owner: ['octo']}},
    });
  });

  it('lets the condition see assertion, google and attribute', () => {
    const ok = (attributeCondition: string) => mapCredential({attributeMapping: mapping, attributeCondition}, github).ok;
    expect(ok("assertion.repository_owner == 'octo'")).toBe(true);
    expect(ok("attribute.repository == 'octo/app' && 'a' in google.groups && google.subject.startsWith('repo:')")).toBe(true);
    expect(ok("attribute.repository == 'octo/other'")).toBe(false);
    // An error (a missing claim) or a non-boolean refuses, as a false condition does.
    expect(mapCredential({attributeMapping: mapping, attributeCondition: 'assertion.nope == 1'}, github)).toEqual({ok: false, refusal: {reason: 'condition'}});
    expect(ok('assertion.sub')).toBe(false);
  });

  it('refuses a mapping that fails, gives no string, or a subject over 127 bytes', () => {
    expect(mapCredential({attributeMapping: {'google.subject': 'assertion.missing'}}, github)).toMatchObject({ok: false, refusal: {reason: 'mapping', attribute: 'google.subject'}});
    expect(mapCredential({attributeMapping: {'google.subject': 'assertion.teams'}}, github)).toMatchObject({ok: false, refusal: {reason: 'mapping', attribute: 'google.subject'}});
    expect(mapCredential({attributeMapping: {'google.subject': "''"}}, github)).toMatchObject({ok: false, refusal: {reason: 'mapping'}});
    expect(mapCredential({attributeMapping: {'google.subject': "'é'.repeat(64)"}}, github)).toMatchObject({ok: false});
    expect(mapCredential({attributeMapping: {'google.subject': 'assertion.sub'}}, {sub: 'x'.repeat(128)})).toEqual({ok: false, refusal: {reason: 'subject-too-long'}});
  });

  it('applies Google\'s default AWS mapping: the ARN as subject, the role ARN as aws_role', () => {
    const assumed = {arn: 'arn:aws:sts::123456789012:assumed-role/ci-role/i-0abc', account: '123456789012'};
    expect(mapCredential({attributeMapping: {...DEFAULT_AWS_MAPPING}}, assumed)).toEqual({
      ok: true,
      identity: {subject: assumed.arn, groups: [], attributes: {aws_role: ['arn:aws:sts::123456789012:assumed-role/ci-role']}},
    });
    const user = {arn: 'arn:aws:iam::123456789012:user/alice'};
    expect(mapCredential({attributeMapping: {...DEFAULT_AWS_MAPPING}}, user)).toMatchObject({identity: {attributes: {aws_role: [user.arn]}}});
  });

  it('finds syntax errors before anything runs', () => {
    expect(celSyntaxProblem("assertion.sub == 'x'")).toBeUndefined();
    expect(celSyntaxProblem('assertion.sub ==')).toEqual(expect.any(String));
  });
});

describe('federated members', () => {
  it('name the principal, its groups, each attribute value and the pool, and allUsers but not allAuthenticatedUsers', () => {
    const members = federatedMembers({pool: POOL, subject: 's1', groups: ['g'], attributes: {repository: ['octo/app', 'x']}});
    expect([...members].sort()).toEqual(
      [
        `principal://iam.googleapis.com/${POOL}/subject/s1`,
        `principalSet://iam.googleapis.com/${POOL}/*`,
        `principalSet://iam.googleapis.com/${POOL}/group/g`,
        `principalSet://iam.googleapis.com/${POOL}/attribute.repository/octo/app`,
        `principalSet://iam.googleapis.com/${POOL}/attribute.repository/x`,
        'allUsers',
      ].sort(),
    );
  });

  it('are validated in Google\'s forms for workload identity pools; other // identifiers pass', () => {
    expect(validFederatedMember(`//iam.googleapis.com/${POOL}/subject/repo:o/r`, false)).toBe(true);
    expect(validFederatedMember(`//iam.googleapis.com/${POOL}/attribute.repository/o/r`, true)).toBe(true);
    expect(validFederatedMember(`//iam.googleapis.com/${POOL}/*`, true)).toBe(true);
    expect(validFederatedMember(`//iam.googleapis.com/${POOL}/*`, false)).toBe(false);
    expect(validFederatedMember('//iam.googleapis.com/projects/demo/locations/global/workloadIdentityPools/gh-pool/subject/x', false)).toBe(false);
    expect(validFederatedMember('//iam.googleapis.com/locations/global/workforcePools/wf/subject/x', false)).toBe(true);
    expect(validFederatedMember('iam.googleapis.com/x', false)).toBe(false);
  });

  it('audiences parse to project, pool and provider', () => {
    expect(parseAudience(`//iam.googleapis.com/${POOL}/providers/gh`)).toEqual({project: '123456', poolId: 'gh-pool', providerId: 'gh'});
    expect(parseAudience(`https://iam.googleapis.com/${POOL}/providers/gh`)).toBeUndefined();
  });
});
