/**
 * Three tiers, one jest project each (`npm run test:unit|test:integration|test:e2e`; `npm test` runs all):
 * - unit: test/unit and test/commands, in process from the TypeScript sources; no socket listens and no
 *   child process starts (test/helpers/unit-guard.ts makes either fail the test).
 * - integration: the built CLI and the emulator as subprocesses or servers on 127.0.0.1:0.
 * - e2e: real third-party clients (docker, skopeo, Chromium) and the installed package.
 */
import {availableParallelism} from 'node:os';

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
  transform: {'^.+\\.ts$': ['ts-jest', {useESM: true, tsconfig: 'tsconfig.json'}]},
};

export default {
  testTimeout: 60000,
  // At least two workers: most integration and e2e time is spent waiting on the CLI, the emulator and the real
  // clients as subprocesses, so two suites at once fit on CI's two cores (jest's default there is one).
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/commands/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/unit-guard.ts'],
    },
    {...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts']},
    {...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts']},
  ],
};
