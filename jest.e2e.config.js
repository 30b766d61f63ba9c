/** @type {import('jest').Config} The end-to-end test: real systemd hosts over real SSH. */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test/e2e"],
    testMatch: ["**/*.e2e.ts"],
    testTimeout: 300000,
};
