import {KeyPolicyError, ServiceDisabledError, toApiError} from '../../src/lib/api/api-error.js';
import {isRepeatable, mayRetry} from '../../src/lib/api/session.js';
import {ApiError, AuthError, ConflictError, NotFoundError, PermissionDeniedError} from '../../src/lib/errors.js';

const subject = {account: 'viewer@p.iam.gserviceaccount.com', resource: 'project [p]'};
const answered = (status: number, error?: object) => ({status, response: {status, data: error ? {error} : 'oops'}, message: `Request failed with status code ${status}`});

describe('toApiError', () => {
  it('passes a typed error through: a bearer token that could not be had is not an unreachable server', () => {
    const noCredentials = new AuthError('Account [nobody@p.iam.gserviceaccount.com] has no credentials.');
    expect(toApiError(noCredentials, subject)).toBe(noCredentials);
  });

  it('names the account, the missing permission and the resource for a 403 with ErrorInfo', () => {
    const error = toApiError(
      answered(403, {
        code: 403,
        status: 'PERMISSION_DENIED',
        message: 'The caller does not have permission',
        details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', metadata: {permission: 'resourcemanager.projects.setIamPolicy'}}],
      }),
      subject,
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.message).toBe('viewer@p.iam.gserviceaccount.com lacks permission resourcemanager.projects.setIamPolicy on project [p].');
  });

  it('turns SERVICE_DISABLED into one line naming the API and the services enable that fixes it, on the consumer project by number', () => {
    const error = toApiError(
      answered(403, {
        code: 403,
        status: 'PERMISSION_DENIED',
        message: 'Artifact Registry API has not been used in project 123 before or it is disabled.',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'SERVICE_DISABLED',
            domain: 'googleapis.com',
            metadata: {service: 'artifactregistry.googleapis.com', consumer: 'projects/123', serviceTitle: 'Artifact Registry API', containerInfo: '123'},
          },
        ],
      }),
      {account: 'a@p.iam.gserviceaccount.com', resource: 'repository [projects/p/locations/us/repositories/r]'},
    );
    expect(error).toBeInstanceOf(ServiceDisabledError);
    expect(error.message).toBe(
      'Artifact Registry API (artifactregistry.googleapis.com) is not enabled on project 123, so repository [projects/p/locations/us/repositories/r] cannot be used; ' +
        'enable it with: gcauth services enable artifactregistry.googleapis.com --project=123',
    );
    expect((error as ServiceDisabledError).hint).toBeUndefined();
  });

  it('turns a key refused by iam.disableServiceAccountKeyUpload into one line naming the constraint', () => {
    const error = toApiError(
      answered(400, {
        code: 400,
        status: 'FAILED_PRECONDITION',
        message: 'Precondition check failed.',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
            violations: [{type: 'constraints/iam.disableServiceAccountKeyUpload', subject: 'projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com?configvalue=x', description: 'd'}],
          },
        ],
      }),
      {account: 'a@p.iam.gserviceaccount.com', resource: 'service account [sa@p.iam.gserviceaccount.com]'},
    );
    expect(error).toBeInstanceOf(KeyPolicyError);
    expect(error.message).toMatch(/^Key upload is not allowed on service account \[sa@p\.iam\.gserviceaccount\.com\]: the organization policy constraint constraints\/iam\.disableServiceAccountKeyUpload is enforced on its project\. Act as the account without a key: impersonate it .*--impersonate-service-account=sa@p\.iam\.gserviceaccount\.com/);
  });

  it("reads the permission from IAM's wording when there is no detail", () => {
    const error = toApiError(answered(403, {code: 403, status: 'PERMISSION_DENIED', message: "Permission 'iam.serviceAccountKeys.create' denied on resource (or it may not exist)."}), subject);
    expect(error.message).toBe('viewer@p.iam.gserviceaccount.com lacks permission iam.serviceAccountKeys.create on project [p] (or it may not exist).');
  });

  it.each([
    [401, AuthError, /access token of \[viewer@p/],
    [404, NotFoundError, /^Project \[p\] was not found: gone/],
    [409, ConflictError, /^Project \[p\]: ABORTED: gone/],
    [400, ApiError, /^Project \[p\]: ABORTED: gone/],
  ])('maps %i to its typed error', (status, type, message) => {
    const error = toApiError(answered(status, {code: status, status: 'ABORTED', message: 'gone'}), subject);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
  });

  it("names the bindings a refused project policy's ProjectIamPolicyError details give, with a hint for public members", () => {
    const detail = (member: string, role: string, type?: string) => ({
      '@type': 'type.googleapis.com/google.cloudresourcemanager.v1.ProjectIamPolicyError',
      ...(type ? {type} : {}),
      member,
      role,
    });
    const invalid = (...details: object[]) => answered(400, {code: 400, status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.', details});
    const open = toApiError(invalid(detail('allUsers', 'roles/owner')), subject) as ApiError;
    expect([open.message, open.hint]).toEqual([
      'Project [p]: INVALID_ARGUMENT: Request contains an invalid argument. Refused: allUsers in roles/owner.',
      "A project's policy cannot grant roles to allUsers or allAuthenticatedUsers.",
    ]);
    const invite = toApiError(invalid(detail('user:a@gmail.com', 'roles/owner', 'SOLO_MUST_INVITE_OWNERS'), detail('user:b@gmail.com', 'roles/owner', 'SOLO_MUST_INVITE_OWNERS')), subject) as ApiError;
    expect([invite.message, invite.hint]).toEqual([
      'Project [p]: INVALID_ARGUMENT: Request contains an invalid argument. Refused: user:a@gmail.com in roles/owner (SOLO_MUST_INVITE_OWNERS), user:b@gmail.com in roles/owner (SOLO_MUST_INVITE_OWNERS).',
      undefined,
    ]);
  });

  it('keeps the status word of a conflict for the retry decision', () => {
    expect((toApiError(answered(409, {status: 'ALREADY_EXISTS', message: 'exists'}), subject) as ConflictError).reason).toBe('ALREADY_EXISTS');
  });

  it('says the server could not be reached when nothing answered', () => {
    const error = toApiError({code: 'ECONNREFUSED', message: 'connect ECONNREFUSED', config: {url: 'http://127.0.0.1:9/iam/v1/x'}}, subject);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('Could not reach http://127.0.0.1:9: ECONNREFUSED.');
  });
});

describe('retry decisions', () => {
  it('treats creates as unrepeatable and custom methods, reads and deletes as repeatable', () => {
    expect(isRepeatable('POST', 'http://h/iam/v1/projects/p/serviceAccounts')).toBe(false);
    expect(isRepeatable('POST', 'http://h/iam/v1/projects/-/serviceAccounts/a@b.c/keys')).toBe(false);
    expect(isRepeatable('POST', 'http://h/cloudresourcemanager/v1/projects/p:getIamPolicy')).toBe(true);
    // A repeated write that had landed would meet its own etag and be misreported.
    expect(isRepeatable('POST', 'http://h/cloudresourcemanager/v1/projects/p:setIamPolicy')).toBe(false);
    expect(isRepeatable('GET', 'http://h/iam/v1/projects/p/serviceAccounts')).toBe(true);
    expect(isRepeatable('DELETE', 'http://h/iam/v1/projects/-/serviceAccounts/a@b.c')).toBe(true);
  });

  it.each([
    [answered(503), false, true],
    [answered(429), false, true],
    [answered(500), false, false],
    [answered(500), true, true],
    [answered(403), true, false],
    [{code: 'ECONNRESET'}, true, true],
    [{code: 'ECONNRESET'}, false, false],
    [{code: 'ECONNREFUSED'}, true, false],
    [new AuthError('timed out refreshing'), true, false],
  ])('retries %j (repeatable %s): %s', (error, repeatable, expected) => {
    expect(mayRetry(error, repeatable)).toBe(expected);
  });
});
