/** Google's 403 for a token without the API's OAuth scope, as a typed error that says which scope and how to get it. */
import {InsufficientScopesError, isScopeInsufficient, TOKEN_SCOPES, toApiError} from '../../src/lib/api/api-error.js';
import {PermissionDeniedError} from '../../src/lib/errors.js';

/** A gaxios failure carrying Google's body for ACCESS_TOKEN_SCOPE_INSUFFICIENT, as IAM answers it. */
const scopeFailure = (service = 'iam.googleapis.com', method = 'google.iam.admin.v1.IAM.ListServiceAccounts') =>
  Object.assign(new Error('Request had insufficient authentication scopes.'), {
    response: {
      status: 403,
      headers: {'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/cloud-platform"'},
      data: {
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
          details: [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata: {service, method}}],
        },
      },
    },
  });

const subject = {account: 'vm-sa@p.iam.gserviceaccount.com', resource: 'project [p]'};

test('the scope 403 names the scope needed, the scopes held and how to change a VM', () => {
  const failure = Object.assign(scopeFailure(), {[TOKEN_SCOPES]: ['https://www.googleapis.com/auth/devstorage.read_only', 'https://www.googleapis.com/auth/logging.write']});
  const error = toApiError(failure, subject) as InsufficientScopesError;
  expect(error).toBeInstanceOf(InsufficientScopesError);
  expect(error).toBeInstanceOf(PermissionDeniedError);
  expect(error.exitCode).toBe(1);
  expect(error.message).toBe(
    'The access token of [vm-sa@p.iam.gserviceaccount.com] lacks the OAuth scope needed by iam.googleapis.com for project [p]: it needs cloud-platform or iam, ' +
      'and has devstorage.read_only, logging.write (Google: Request had insufficient authentication scopes.).',
  );
  expect(error.requiredScopes).toContain('https://www.googleapis.com/auth/cloud-platform');
  expect(error.hint).toContain('gcloud compute instances set-service-account INSTANCE --zone=ZONE --service-account=vm-sa@p.iam.gserviceaccount.com --scopes=cloud-platform');
  expect(error.hint).toContain('node pool');
});

test('Resource Manager, and a token whose scopes are not known', () => {
  const error = toApiError(scopeFailure('cloudresourcemanager.googleapis.com', 'GetIamPolicy'), subject);
  expect(error.message).toBe(
    'The access token of [vm-sa@p.iam.gserviceaccount.com] lacks the OAuth scope needed by cloudresourcemanager.googleapis.com for project [p]: it needs cloud-platform or cloud-platform.read-only (Google: Request had insufficient authentication scopes.).',
  );
});

test('an IAM permission 403 is not a scope error', () => {
  const denied = Object.assign(new Error('denied'), {
    response: {status: 403, data: {error: {code: 403, message: "Permission 'iam.serviceAccounts.list' denied on resource", status: 'PERMISSION_DENIED', details: [{reason: 'IAM_PERMISSION_DENIED', metadata: {permission: 'iam.serviceAccounts.list'}}]}}},
  });
  expect(isScopeInsufficient(denied)).toBe(false);
  const error = toApiError(denied, subject);
  expect(error).not.toBeInstanceOf(InsufficientScopesError);
  expect(error.message).toBe('vm-sa@p.iam.gserviceaccount.com lacks permission iam.serviceAccounts.list on project [p].');
});

test('the message alone (no ErrorInfo) is recognised too', () => {
  const bare = Object.assign(new Error('x'), {response: {status: 403, data: {error: {code: 403, message: 'Request had insufficient authentication scopes.'}}}});
  expect(isScopeInsufficient(bare)).toBe(true);
  expect(toApiError(bare, subject).message).toContain('it needs cloud-platform (Google: Request had insufficient authentication scopes.)');
});
