/**
 * The rendered Kubernetes manifests (kustomize build of base and each overlay). No cluster and no
 * running service: `KUSTOMIZE=<binary> npx jest -c kubernetes/test/jest.config.js` (npm test sets
 * KUSTOMIZE from scripts/k8s-tools.sh). K8S_DIR checks another copy of kubernetes/.
 */
const { join } = require('node:path');

module.exports = {
  rootDir: join(__dirname, '..', '..'),
  testEnvironment: 'node',
  testTimeout: 60_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/kubernetes/test/**/*.spec.ts'],
  // the cluster test needs a cluster: its own config (cluster/jest.config.js)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/kubernetes/test/cluster/'],
};
