import {
  isBasicRole,
  validateAccountId,
  validateKeyId,
  validateMember,
  validateProjectId,
  validateRole,
  validateServiceAccountRef,
} from '../../src/lib/iam/validate.js';
import {usageMessage} from '../helpers/usage-error.js';

describe('validateAccountId', () => {
  test.each(['my-service', 'abcdef', 'a23456789012345678901234567890', 'deploy-bot-2'])('accepts %s', (id) => {
    expect(validateAccountId(id)).toBe(id);
  });

  test.each([
    ['abc', 'it has 3 characters', undefined],
    ['a234567890123456789012345678901', 'it has 31 characters', undefined],
    ['', 'it is empty', undefined],
    ['My_Service_Account', 'it has upper-case letters', 'my-service-account'],
    ['deploy_bot_prod', 'it contains [_]', 'deploy-bot-prod'],
    ['1deploy-bot', 'it starts with [1]', 'deploy-bot'],
    ['deploy-bot-', 'it ends with a hyphen', 'deploy-bot'],
    ['deploy-bot@my-project.iam.gserviceaccount.com', 'NAME is the account id, not its email', 'deploy-bot'],
    ['deploy.bot.prod', 'it contains [.]', 'deploy-bot-prod'],
  ])('rejects %j (%s)', (id, reason, suggestion) => {
    const message = usageMessage(() => validateAccountId(id));
    expect(message).toContain(`Invalid NAME [${id}]: ${reason}`);
    expect(message).toContain('expected 6 to 30 lower-case letters, digits or hyphens');
    if (suggestion) expect(message).toMatch(new RegExp(`Did you mean ${suggestion}\\?$`));
    else expect(message).not.toContain('Did you mean');
  });

  test('names the argument it was given', () => {
    expect(usageMessage(() => validateAccountId('x', 'ACCOUNT_ID'))).toMatch(/^Invalid ACCOUNT_ID \[x\]/);
  });
});

describe('validateServiceAccountRef', () => {
  test.each(['sa@my-project.iam.gserviceaccount.com', 'my-app@appspot.gserviceaccount.com', '123456789012345678901'])('accepts %s', (ref) => {
    expect(validateServiceAccountRef(ref)).toBe(ref);
  });

  test.each([
    ['deploy-bot', {}, 'deploy-bot@PROJECT_ID.iam.gserviceaccount.com'],
    ['deploy-bot', {project: 'my-project'}, 'deploy-bot@my-project.iam.gserviceaccount.com'],
    ['deploy-bot', {project: 'example.com:my-project'}, 'deploy-bot@my-project.example.com.iam.gserviceaccount.com'],
    ['serviceAccount:sa@p.iam.gserviceaccount.com', {}, 'sa@p.iam.gserviceaccount.com'],
    [' sa@p.iam.gserviceaccount.com', {}, 'sa@p.iam.gserviceaccount.com'],
    ['sa@localhost', {}, undefined],
    ['12ab', {}, undefined],
  ])('rejects %j', (ref, options, suggestion) => {
    const message = usageMessage(() => validateServiceAccountRef(ref, '--iam-account', options));
    expect(message).toContain(`Invalid --iam-account [${ref}]:`);
    expect(message).toContain('expected a service account email (NAME@PROJECT_ID.iam.gserviceaccount.com) or its numeric unique id.');
    if (suggestion) expect(message).toContain(`Did you mean ${suggestion}?`);
    else expect(message).not.toContain('Did you mean');
  });

  test('names the argument it was given', () => {
    expect(usageMessage(() => validateServiceAccountRef('x', 'SERVICE_ACCOUNT'))).toMatch(/^Invalid SERVICE_ACCOUNT \[x\]/);
  });
});

describe('validateMember', () => {
  const MEMBER_FORM =
    'expected user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://..., ' +
    'allUsers, allAuthenticatedUsers or deleted:KIND:EMAIL?uid=ID.';

  test.each([
    'user:alice@example.com',
    'group:admins@example.com',
    'serviceAccount:sa@my-project.iam.gserviceaccount.com',
    'serviceAccount:my-project.svc.id.goog[my-namespace/my-ksa]',
    'domain:example.com',
    'allUsers',
    'allAuthenticatedUsers',
    'principal://iam.googleapis.com/locations/global/workforcePools/my-pool/subject/alice',
    'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/*',
    'principalSet://cloudresourcemanager.googleapis.com/projects/123456789012/type/ServiceAccount',
    'deleted:user:alice@example.com?uid=123456789012345678901',
    'deleted:serviceAccount:sa@p.iam.gserviceaccount.com?uid=123456789012345678901',
    'deleted:group:admins@example.com?uid=123456789012345678901',
    'deleted:principal://iam.googleapis.com/locations/global/workforcePools/my-pool/subject/alice',
  ])('accepts %s', (member) => {
    expect(validateMember(member)).toBe(member);
  });

  test.each([
    ['alice@example.com', 'a member needs a type prefix', 'user:alice@example.com'],
    ['sa@p.iam.gserviceaccount.com', 'a member needs a type prefix', 'serviceAccount:sa@p.iam.gserviceaccount.com'],
    ['User:alice@example.com', 'member types are case-sensitive: user:, not User:', 'user:alice@example.com'],
    ['serviceaccount:sa@p.iam.gserviceaccount.com', 'case-sensitive', 'serviceAccount:sa@p.iam.gserviceaccount.com'],
    ['service-account:sa@p.iam.gserviceaccount.com', 'case-sensitive', 'serviceAccount:sa@p.iam.gserviceaccount.com'],
    ['user:sa@p.iam.gserviceaccount.com', 'is a service account', 'serviceAccount:sa@p.iam.gserviceaccount.com'],
    ['user:alice@example.com ', 'surrounding whitespace', 'user:alice@example.com'],
    ['allusers', undefined, 'allUsers'],
    ['AllAuthenticatedUsers', undefined, 'allAuthenticatedUsers'],
    ['PrincipalSet://iam.googleapis.com/x/*', 'spelled principalSet://', 'principalSet://iam.googleapis.com/x/*'],
    ['domain:alice@example.com', 'not an email', 'domain:example.com'],
    ['user:alice', 'user: takes an email address', undefined],
    ['group:', 'group: takes an email address', undefined],
    ['domain:localhost', 'domain: takes a domain name', undefined],
    ['principal://', 'needs a host and a path', undefined],
    ['principalSet://iam.googleapis.com', 'needs a host and a path', undefined],
    ['deleted:user:alice@example.com', 'ends with ?uid=UNIQUE_ID', undefined],
    ['deleted:user:alice@example.com?uid=abc', 'a deleted member is', undefined],
    ['sa:deploy@p.iam.gserviceaccount.com', '[sa:] is not a member type', undefined],
    ['alice', undefined, undefined],
    ['', undefined, undefined],
  ])('rejects %j', (member, reason, suggestion) => {
    const message = usageMessage(() => validateMember(member));
    expect(message).toContain(`Invalid --member [${member}]: `);
    if (reason) expect(message).toContain(reason);
    expect(message).toContain(MEMBER_FORM);
    if (suggestion) expect(message).toMatch(new RegExp(`Did you mean ${suggestion.replace(/[.*?[\]]/g, '\\$&')}\\?$`));
    else expect(message).not.toContain('Did you mean');
  });

  test('gives the example message in full', () => {
    expect(usageMessage(() => validateMember('alice@example.com'))).toBe(
      'Invalid --member [alice@example.com]: a member needs a type prefix; expected user:EMAIL, serviceAccount:EMAIL, group:EMAIL, ' +
        'domain:DOMAIN, principal://..., principalSet://..., allUsers, allAuthenticatedUsers or deleted:KIND:EMAIL?uid=ID. ' +
        'Did you mean user:alice@example.com?',
    );
  });

  test('keeps a value with a line break on one line', () => {
    expect(usageMessage(() => validateMember('user:a@b.com\nuser:c@d.com'))).toContain('[user:a@b.com\\nuser:c@d.com]');
  });
});

describe('validateRole', () => {
  test.each([
    'roles/viewer',
    'roles/storage.objectAdmin',
    'roles/iam.serviceAccountUser',
    'projects/my-project/roles/myCustomRole',
    'projects/example.com:my-project/roles/custom_role.v2',
    'organizations/123456789012/roles/orgAuditor',
  ])('accepts %s', (role) => {
    expect(validateRole(role)).toBe(role);
  });

  test.each([
    ['storage.admin', 'a role name starts with roles/', 'roles/storage.admin'],
    ['owner', 'a role name starts with roles/', 'roles/owner'],
    ['Roles/owner', undefined, 'roles/owner'],
    ['role/storage.admin', undefined, 'roles/storage.admin'],
    [' roles/viewer', undefined, 'roles/viewer'],
    ['projects/my-project/role/custom', undefined, 'projects/my-project/roles/custom'],
    ['roles/', 'the role name is missing', undefined],
    ['projects/my-project/roles/', 'the role name is missing', undefined],
    ['projects/my-project/roles/my-role', 'role names have no hyphens', undefined],
    ['organizations/acme/roles/auditor', undefined, undefined],
    ['projects/My Project/roles/auditor', undefined, undefined],
    ['', undefined, undefined],
  ])('rejects %j', (role, reason, suggestion) => {
    const message = usageMessage(() => validateRole(role));
    expect(message).toContain(`Invalid --role [${role}]: `);
    if (reason) expect(message).toContain(reason);
    expect(message).toContain('expected roles/NAME, projects/PROJECT_ID/roles/NAME or organizations/ORGANIZATION_ID/roles/NAME.');
    if (suggestion) expect(message).toMatch(new RegExp(`Did you mean ${suggestion.replace(/[.]/g, '\\.')}\\?$`));
    else expect(message).not.toContain('Did you mean');
  });
});

describe('validateProjectId', () => {
  test.each(['my-project', 'my-project-123456', 'example.com:my-project', '123456789012', 'a23456789012345678901234567890', '1legacy-id'])(
    'accepts %s',
    (project) => {
      expect(validateProjectId(project)).toBe(project);
    },
  );

  test.each([
    ['My Project', 'looks like a project name', undefined],
    ['My-Project', 'looks like a project name', 'my-project'],
    ['projects/my-project', 'without projects/', 'my-project'],
    ['my-project ', undefined, 'my-project'],
    ['my_project', undefined, undefined],
    ['-my-project', 'looks like a project name', undefined],
    ['my-project-', undefined, undefined],
    ['', 'it is empty', undefined],
  ])('rejects %j', (project, reason, suggestion) => {
    const message = usageMessage(() => validateProjectId(project));
    expect(message).toContain(`Invalid PROJECT_ID [${project}]: `);
    if (reason) expect(message).toContain(reason);
    expect(message).toContain('expected a project ID');
    expect(message).toContain('or a project number.');
    if (suggestion) expect(message).toContain(`Did you mean ${suggestion}?`);
    else expect(message).not.toContain('Did you mean');
  });
});

describe('validateKeyId', () => {
  const id = '0123456789abcdef0123456789abcdef01234567';

  test('accepts 40 lower-case hex characters', () => {
    expect(validateKeyId(id)).toBe(id);
  });

  test.each([
    [id.toUpperCase(), undefined, id],
    [`projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/${id}`, 'not its resource name', id],
    [`${id}\n`, undefined, id],
    ['b4f1037aeef9ab37deee9', 'it has 21 characters', undefined],
    [`${id}89`, 'it has 42 characters', undefined],
    ['not-a-key', undefined, undefined],
  ])('rejects %j', (value, reason, suggestion) => {
    const message = usageMessage(() => validateKeyId(value));
    expect(message).toMatch(/^Invalid KEY_ID \[/);
    if (reason) expect(message).toContain(reason);
    expect(message).toContain('expected 40 lower-case hexadecimal characters');
    if (suggestion) expect(message).toContain(`Did you mean ${suggestion}?`);
    else expect(message).not.toContain('Did you mean');
  });
});

describe('isBasicRole', () => {
  test.each([
    ['roles/owner', true],
    ['roles/editor', true],
    ['roles/viewer', true],
    ['roles/browser', false],
    ['roles/storage.admin', false],
    ['projects/p/roles/owner', false],
    ['owner', false],
  ])('%s → %s', (role, basic) => {
    expect(isBasicRole(role)).toBe(basic);
  });
});
