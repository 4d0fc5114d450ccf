/** The install line configure-docker prints names this copy, never the unpublished npm name. */
import path from 'node:path';

import {installHint, packageRoot} from '../../src/lib/cli/install-hint.js';
import {repoRoot} from '../helpers/emulator.js';

describe('installHint', () => {
  test('finds the checkout this module runs from', () => {
    expect(packageRoot()).toBe(repoRoot);
    expect(packageRoot('/')).toBeUndefined();
  });

  test('a checkout: npm install -g of its directory, quoted for the shell when needed', () => {
    expect(installHint('/home/me/src/gcauth')).toBe(
      "Install this checkout globally with: npm install -g /home/me/src/gcauth (or npm pack there and npm install -g the .tgz), and make sure npm's global bin directory is on PATH.",
    );
    expect(installHint("/home/me/my src/it's")).toContain(`npm install -g '/home/me/my src/it'\\''s'`);
  });

  test('an installed copy: the prefix bin directory, and never a bare npm install -g gcauth', () => {
    const installed = path.join('/usr', 'local', 'lib', 'node_modules', 'gcauth');
    expect(installHint(installed)).toBe(`gcauth is installed in ${installed}: put the bin directory of that npm prefix on PATH (npm prefix -g prints the global one).`);
    for (const root of [installed, '/x/gcauth', undefined]) expect(installHint(root)).not.toMatch(/npm install -g gcauth\b/);
  });
});
