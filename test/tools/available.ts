import { spawnSync } from "child_process";

/**
 * Whether a command is on PATH. Without it the suites that need it are skipped, unless
 * REQUIRE_TOOLS=1 (as in CI, which installs them), where they fail instead.
 */
export function toolAvailable(command: string, debianPackage: string): boolean {
    const found = spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
    if (!found && process.env.REQUIRE_TOOLS === "1") {
        throw new Error(`REQUIRE_TOOLS=1 but ${command} is not installed (apt-get install ${debianPackage})`);
    }
    if (!found) {
        console.warn(`${command} not found: skipping the tests that run it (apt-get install ${debianPackage}).`);
    }
    return found;
}
