/** @type {import('jest').Config} */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    // Evaluating a stack under mocks is seconds, not milliseconds, on a small machine.
    testTimeout: 60000,
};
