/** Unit and command tests run from TypeScript sources; integration tests run the built CLI. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
  transform: {'^.+\\.ts$': ['ts-jest', {useESM: true, tsconfig: 'tsconfig.json'}]},
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
};
