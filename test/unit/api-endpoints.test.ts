/** The API clients' endpoint overrides: a root with a path (`{url}/iam/`) must keep its path. */
import {iam_v1} from '@googleapis/iam';

import {API_ROOTS, onRootUrl} from '../../src/lib/api/endpoints.js';
import type {RequestAuth} from '../../src/lib/api/session.js';

function recorder(): RequestAuth & {urls: string[]} {
  const urls: string[] = [];
  return {
    urls,
    request: async (options) => {
      urls.push(String(options.url));
      return {data: {}, status: 200, headers: {}} as never;
    },
  };
}

test('googleapis itself drops the path of a rootUrl (the reason onRootUrl exists)', async () => {
  const auth = recorder();
  await new iam_v1.Iam({rootUrl: 'http://127.0.0.1:9/iam/', auth: auth as never}).projects.serviceAccounts.get({name: 'projects/-/serviceAccounts/a@p.iam.gserviceaccount.com'});
  expect(auth.urls).toEqual(['http://127.0.0.1:9/v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com']);
});

test('onRootUrl moves each request onto the configured root, its path kept', async () => {
  const auth = recorder();
  const client = new iam_v1.Iam({rootUrl: API_ROOTS.iam, auth: onRootUrl(auth, 'iam', 'http://127.0.0.1:9/iam/') as never});
  await client.projects.serviceAccounts.list({name: 'projects/p', pageSize: 100});
  expect(auth.urls).toEqual(['http://127.0.0.1:9/iam/v1/projects/p/serviceAccounts']);
});

test("Google's own root is passed through untouched", () => {
  const auth = recorder();
  expect(onRootUrl(auth, 'cloudresourcemanager', API_ROOTS.cloudresourcemanager)).toBe(auth);
});
