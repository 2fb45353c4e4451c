/**
 * The manifests applied to a real API server with a simulated node (scripts/k8s-cluster.sh starts
 * and stops it): `eval "$(bash scripts/k8s-cluster.sh install)" && npx jest -c
 * kubernetes/test/cluster/jest.config.js`. K8S_DIR checks another copy of kubernetes/.
 */
const { join } = require('node:path');

module.exports = {
  rootDir: join(__dirname, '..', '..', '..'),
  testEnvironment: 'node',
  testTimeout: 120_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/kubernetes/test/cluster/cluster.spec.ts'],
};
